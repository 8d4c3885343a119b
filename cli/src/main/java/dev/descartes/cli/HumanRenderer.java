package dev.descartes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.OutputLine;
import dev.descartes.server.EventText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The default output: what the model wrote, each tool call with the gist of its input, the first
 * line of each tool result, errors, and a closing line with the outcome, duration and cost. Plain
 * text lines of the agent are shown as they are.
 */
final class HumanRenderer implements Renderer {

  private final AgentSink sink;
  private final AgentTally tally;
  private final Theme theme;

  HumanRenderer(AgentSink sink, AgentTally tally) {
    this.sink = sink;
    this.tally = tally;
    this.theme = sink.theme();
  }

  @Override
  public void event(AgentEvent event, List<Activity> activities) {
    activities.forEach(this::activity);
    switch (event) {
      case AgentEvent.Started s -> sink.line(Style.DIM, theme.info() + " started, pid " + s.pid());
      case AgentEvent.RawLine r -> sink.line(Style.TEXT, r.text());
      case AgentEvent.Gap g ->
          sink.line(
              Style.NOTE,
              theme.info()
                  + " "
                  + g.missedLines()
                  + " lines ("
                  + g.missedBytes()
                  + " bytes) not shown: output came faster than it could be shown");
      case AgentEvent.Json j -> {}
      case AgentEvent.Normalized n -> {}
      case AgentEvent.Exited e -> {}
    }
  }

  private void activity(Activity a) {
    switch (a) {
      case Activity.SessionStarted s ->
          sink.line(
              Style.DIM,
              theme.info()
                  + " session "
                  + s.sessionId()
                  + s.model().map(m -> ", model " + m).orElse(""));
      case Activity.AssistantText t -> sink.line(Style.TEXT, t.text());
      case Activity.ToolCall c ->
          sink.line(
              Style.TOOL,
              theme.call()
                  + " "
                  + c.name()
                  + Optional.of(gist(c.input()))
                      .filter(g -> !g.isEmpty())
                      .map(g -> "  " + g)
                      .orElse(""));
      case Activity.ToolResult r ->
          sink.line(
              r.error() ? Style.ERROR : Style.DIM,
              "  " + theme.result() + " " + summary(r.output()));
      case Activity.Result r -> {
        if (!r.success()) {
          sink.line(
              Style.ERROR, theme.fail() + " " + r.error().orElse("the agent reported an error"));
        } else if (r.text().isPresent() && !r.text().equals(tally.lastText())) {
          sink.line(Style.TEXT, r.text().get());
        }
      }
      case Activity.Usage u -> {}
      case Activity.Other o -> sink.line(Style.DIM, truncate(o.json().toString(), 160));
    }
  }

  @Override
  public void stderr(OutputLine line) {
    sink.error(Style.DIM, line.text());
  }

  @Override
  public void finished(AgentTally t) {
    sink.line(style(t.state()), closingLine(t, theme));
  }

  static Style style(AgentTally.State state) {
    return switch (state) {
      case COMPLETED -> Style.OK;
      case FAILED -> Style.ERROR;
      default -> Style.NOTE;
    };
  }

  /** {@code ✓ completed in 3.2s, $0.0123, 3 turns}, {@code ✗ failed (exit 1) in 1.1s: why}. */
  static String closingLine(AgentTally t, Theme theme) {
    String symbol =
        switch (t.state()) {
          case COMPLETED -> theme.ok();
          case FAILED -> theme.fail();
          default -> theme.stop();
        };
    List<String> facts = new ArrayList<>();
    if (t.exit().isPresent()) {
      facts.add(Durations.format(t.elapsed(Instant.now())));
    }
    t.cost().ifPresent(c -> facts.add(Durations.cost(c)));
    t.result()
        .flatMap(r -> r.turns().isPresent() ? Optional.of(r.turns().getAsInt()) : Optional.empty())
        .ifPresent(n -> facts.add(n + (n == 1 ? " turn" : " turns")));
    String exit = t.exit().filter(x -> !x.success()).map(x -> " (" + x + ")").orElse("");
    // a failed result was shown as it came; what else went wrong is said here
    String why =
        t.state() != AgentTally.State.FAILED || t.resultSeen()
            ? ""
            : t.headline().map(h -> ": " + h).orElse("");
    return symbol
        + " "
        + t.state().label()
        + exit
        + (facts.isEmpty() ? "" : " in " + String.join(", ", facts))
        + why;
  }

  /** The gist of a tool's input: its command, path, pattern... or compact JSON. */
  static String gist(JsonNode input) {
    return EventText.gist(input);
  }

  private static String summary(String output) {
    return EventText.toolOutput(output);
  }

  static String truncate(String s, int max) {
    return EventText.truncate(s, max);
  }
}
