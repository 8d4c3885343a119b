package dev.descartes.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.AgentEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns one agent's events into the API's JSON objects: {@code type} (as {@code descartes run
 * --json} names them), {@code at}, the event's fields, {@code style} and {@code line}, the text
 * {@code descartes run} shows for it. A command agent's JSON lines in a known CLI format (a script
 * that writes what Claude Code writes) are parsed as that CLI's.
 *
 * <p>Not thread-safe: one per agent, fed in event order.
 */
final class EventJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private final String agent;
  private final String agentId;
  private final KnownFormats formats = new KnownFormats();
  private boolean normalizedSeen;
  private String lastText = "";

  EventJson(String agent, String agentId) {
    this.agent = agent;
    this.agentId = agentId;
  }

  /**
   * The JSON objects for {@code event} (none for a JSON line a parser already turned into
   * normalized events).
   */
  List<ObjectNode> of(AgentEvent event) {
    List<ObjectNode> out = new ArrayList<>();
    switch (event) {
      case AgentEvent.Started s ->
          out.add(
              node("started", s.at())
                  .put("pid", s.pid())
                  .put("style", "dim")
                  .put("line", "● started, pid " + s.pid()));
      case AgentEvent.Normalized n -> {
        normalizedSeen = true;
        normalized(n).ifPresent(out::add);
      }
      case AgentEvent.Json j -> {
        List<AgentEvent> parsed =
            normalizedSeen && !formats.recognized() ? List.of() : formats.parse(j);
        if (!parsed.isEmpty()) {
          normalizedSeen = true;
        }
        if (parsed.isEmpty()) {
          ObjectNode o =
              node("json", j.at())
                  .put("style", "dim")
                  .put("line", EventText.truncate(j.json().toString(), 160));
          o.set("json", j.json());
          out.add(o);
        }
        for (AgentEvent e : parsed) {
          normalized((AgentEvent.Normalized) e).ifPresent(out::add);
        }
      }
      case AgentEvent.RawLine r ->
          out.add(
              node("text", r.at())
                  .put("text", r.text())
                  .put("complete", r.complete())
                  .put("style", "text")
                  .put("line", r.text()));
      case AgentEvent.Gap g ->
          out.add(
              node("gap", g.at())
                  .put("missed_lines", g.missedLines())
                  .put("missed_bytes", g.missedBytes())
                  .put("style", "note")
                  .put(
                      "line",
                      "● " + g.missedLines() + " lines (" + g.missedBytes() + " bytes) missed"));
      case AgentEvent.Exited x -> {
        ObjectNode o =
            node("exited", x.at()).put("status", x.status().name().toLowerCase(Locale.ROOT));
        x.exitStatus().code().ifPresent(c -> o.put("exit_code", c));
        x.exitStatus().signal().ifPresent(s -> o.put("signal", s));
        String symbol =
            switch (x.status()) {
              case COMPLETED -> "✓";
              case FAILED -> "✗";
              default -> "■";
            };
        o.put(
            "style",
            x.status() == dev.descartes.runner.AgentStatus.COMPLETED
                ? "ok"
                : x.status() == dev.descartes.runner.AgentStatus.FAILED ? "error" : "note");
        o.put(
            "line",
            symbol
                + " "
                + x.status().name().toLowerCase(Locale.ROOT)
                + (x.exitStatus().success() ? "" : " (" + x.exitStatus() + ")"));
        out.add(o);
      }
    }
    return out;
  }

  /** A stderr line. */
  ObjectNode stderr(String text) {
    return node("stderr", Instant.now()).put("text", text).put("style", "dim").put("line", text);
  }

  private Optional<ObjectNode> normalized(AgentEvent.Normalized n) {
    return switch (n) {
      case AgentEvent.SessionStarted s -> {
        ObjectNode o = node("session_started", s.at()).put("session_id", s.sessionId());
        s.model().ifPresent(m -> o.put("model", m));
        yield Optional.of(
            o.put("style", "dim")
                .put(
                    "line",
                    "● session " + s.sessionId() + s.model().map(m -> ", model " + m).orElse("")));
      }
      case AgentEvent.AssistantText t -> {
        lastText = t.text();
        yield Optional.of(
            node("assistant_text", t.at())
                .put("text", t.text())
                .put("partial", t.partial())
                .put("style", "text")
                .put("line", t.text()));
      }
      case AgentEvent.ToolCall c -> {
        ObjectNode o = node("tool_call", c.at()).put("name", c.name());
        o.set("input", c.input());
        String gist = EventText.gist(c.input());
        yield Optional.of(
            o.put("style", "tool")
                .put("line", "→ " + c.name() + (gist.isEmpty() ? "" : "  " + gist)));
      }
      case AgentEvent.ToolResult r ->
          Optional.of(
              node("tool_result", r.at())
                  .put("output", r.output())
                  .put("is_error", r.error())
                  .put("style", r.error() ? "error" : "dim")
                  .put("line", "  ⎿ " + EventText.toolOutput(r.output())));
      case AgentEvent.Usage u -> {
        ObjectNode o =
            node("usage", u.at())
                .put("input_tokens", u.inputTokens())
                .put("output_tokens", u.outputTokens());
        u.costUsd().ifPresent(c -> o.put("cost_usd", c));
        yield Optional.of(o);
      }
      case AgentEvent.Result r -> {
        ObjectNode o = node("result", r.at()).put("success", r.success()).put("text", r.text());
        r.errorMessage().ifPresent(e -> o.put("error", e));
        r.turns().ifPresent(t -> o.put("turns", t));
        r.sessionId().ifPresent(t -> o.put("session_id", t));
        if (r.raw().path("total_cost_usd").isNumber()) {
          o.put("cost_usd", r.raw().get("total_cost_usd").asDouble());
        }
        String line =
            r.success()
                ? r.text()
                : "✗ "
                    + r.errorMessage()
                        .orElse(r.text().isBlank() ? "the agent reported an error" : r.text());
        o.put("style", r.success() ? "text" : "error");
        if (!(r.success() && r.text().strip().equals(lastText.strip()))) {
          o.put(
              "line",
              line); // a success whose text was just shown as assistant text is not shown twice
        }
        yield Optional.of(o);
      }
    };
  }

  private ObjectNode node(String type, Instant at) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("agent", agent);
    n.put("agent_id", agentId);
    n.put("type", type);
    n.put("at", at.toString());
    return n;
  }
}
