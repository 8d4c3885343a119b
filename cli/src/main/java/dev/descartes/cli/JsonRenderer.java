package dev.descartes.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.OutputLine;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * {@code --json}: one JSON object a line on stdout for each event, whatever CLI the agent runs.
 * Every object has {@code agent} (its name), {@code type} and {@code at}; the types are {@code
 * started}, {@code session_started}, {@code assistant_text}, {@code tool_call}, {@code
 * tool_result}, {@code usage}, {@code result}, {@code json} (an object no backend format explains,
 * under {@code json}), {@code text} (a line that is not JSON), {@code gap} and {@code exited}
 * (last, with the agent's final state, exit, duration and cost). Each line the agent writes to
 * stderr goes to stderr as an object of type {@code stderr} with {@code agent}, {@code at} and
 * {@code text}, so that stdout stays the event stream and every line still says whose it is.
 */
final class JsonRenderer implements Renderer {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final AgentSink sink;
  private final AgentTally tally;

  JsonRenderer(AgentSink sink, AgentTally tally) {
    this.sink = sink;
    this.tally = tally;
  }

  @Override
  public void event(AgentEvent event, List<Activity> activities) {
    activities.forEach(a -> emit(activity(a, event.at())));
    switch (event) {
      case AgentEvent.Started s -> emit(node("started", s.at()).put("pid", s.pid()));
      case AgentEvent.Json j -> {}
      case AgentEvent.Normalized n -> {}
      case AgentEvent.RawLine r ->
          emit(node("text", r.at()).put("text", r.text()).put("complete", r.complete()));
      case AgentEvent.Gap g ->
          emit(
              node("gap", g.at())
                  .put("missed_lines", g.missedLines())
                  .put("missed_bytes", g.missedBytes()));
      case AgentEvent.Exited e -> {} // written by finished(), once stderr is drained too
    }
  }

  private ObjectNode activity(Activity a, Instant at) {
    return switch (a) {
      case Activity.SessionStarted s -> {
        ObjectNode n = node("session_started", at).put("session_id", s.sessionId());
        s.model().ifPresent(m -> n.put("model", m));
        yield n;
      }
      case Activity.AssistantText t -> node("assistant_text", at).put("text", t.text());
      case Activity.ToolCall c -> {
        ObjectNode n = node("tool_call", at).put("name", c.name());
        n.set("input", c.input());
        yield n;
      }
      case Activity.ToolResult r ->
          node("tool_result", at).put("output", r.output()).put("is_error", r.error());
      case Activity.Usage u -> node("usage", at).put("cost_usd", u.costUsd());
      case Activity.Result r -> {
        ObjectNode n = node("result", at).put("success", r.success());
        r.text().ifPresent(t -> n.put("text", t));
        r.error().ifPresent(e -> n.put("error", e));
        r.turns().ifPresent(t -> n.put("turns", t));
        yield n;
      }
      case Activity.Other o -> {
        ObjectNode n = node("json", at);
        n.set("json", o.json());
        yield n;
      }
    };
  }

  @Override
  public void stderr(OutputLine line) {
    sink.error(Style.TEXT, node("stderr", line.at()).put("text", line.text()).toString());
  }

  @Override
  public void finished(AgentTally t) {
    ObjectNode n =
        node("exited", Instant.now()).put("state", t.state().name().toLowerCase(Locale.ROOT));
    t.exit()
        .ifPresent(
            x -> {
              x.code().ifPresent(c -> n.put("exit_code", c));
              x.signal().ifPresent(s -> n.put("signal", s));
              n.put("duration_ms", t.elapsed(Instant.now()).toMillis());
            });
    t.cost().ifPresent(c -> n.put("cost_usd", c));
    t.headline()
        .filter(h -> t.state() != AgentTally.State.COMPLETED)
        .ifPresent(h -> n.put("error", h));
    emit(n);
  }

  private ObjectNode node(String type, Instant at) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("agent", tally.name());
    n.put("type", type);
    n.put("at", at.toString());
    return n;
  }

  private void emit(ObjectNode n) {
    sink.line(Style.TEXT, n.toString());
  }
}
