package dev.descartes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Reads one agent's JSON lines, as Claude Code and Qwen Code ({@code stream-json}), OpenCode
 * ({@code --format json}), Codex ({@code exec --json}) and Gemini CLI ({@code -o stream-json})
 * write them, into {@link Activity} items. Any other object becomes {@link Activity.Other}.
 *
 * <p>This is the one place that knows the CLIs' formats: once the runner delivers normalized
 * events, they map one to one onto {@link Activity} and this class goes. One instance per agent
 * (it joins Gemini's streamed text deltas); not thread-safe.
 */
final class StreamJson {

  private final StringBuilder pendingText = new StringBuilder();

  /** The activities {@code json} holds; may be none (noise such as partial stream events). */
  List<Activity> interpret(JsonNode json) {
    List<Activity> out = new ArrayList<>();
    String type = json.path("type").asText("");
    boolean delta = type.equals("message") && json.path("delta").asBoolean(false);
    if (!delta) {
      out.addAll(flush());
    }
    switch (type) {
      case "system" -> {
        if (json.path("subtype").asText("").equals("init")) {
          out.add(new Activity.SessionStarted(text(json, "session_id"), text(json, "model")));
        }
      }
      case "init" -> out.add(new Activity.SessionStarted(text(json, "session_id"), text(json, "model")));
      case "thread.started" -> out.add(new Activity.SessionStarted(text(json, "thread_id"), Optional.empty()));
      case "assistant" -> claudeContent(json.path("message").path("content"), out);
      case "user" -> claudeContent(json.path("message").path("content"), out);
      case "result" -> out.add(json.has("status") ? geminiResult(json) : claudeResult(json));
      case "message" -> geminiMessage(json, delta, out);
      case "text" -> text(json.path("part"), "text").map(Activity.AssistantText::new).ifPresent(out::add);
      case "tool_use" -> toolUse(json, out);
      case "tool_result" -> out.add(new Activity.ToolResult(
          text(json, "output").or(() -> text(json.path("error"), "message")).orElse(""),
          !json.path("status").asText("success").equals("success")));
      case "step_finish" -> {
        if (json.path("part").path("cost").isNumber()) {
          out.add(new Activity.Usage(json.path("part").path("cost").asDouble()));
        }
      }
      case "item.completed" -> codexItem(json.path("item"), out);
      case "turn.failed" -> out.add(failure(text(json.path("error"), "message").orElse("turn failed")));
      case "error" -> {
        if (json.has("sessionID")) { // opencode; codex's top-level errors include reconnect notices
          JsonNode e = json.path("error");
          out.add(failure(text(e.path("data"), "message").or(() -> text(e, "name")).orElse(e.toString())));
        } else {
          out.add(new Activity.Other(json));
        }
      }
      case "stream_event", "step_start", "turn.started", "turn.completed", "item.started",
           "item.updated", "control_response" -> { }
      default -> out.add(new Activity.Other(json));
    }
    return out;
  }

  /** Streamed text not yet handed out (call at the end of the stream). */
  List<Activity> flush() {
    if (pendingText.isEmpty()) {
      return List.of();
    }
    String t = pendingText.toString();
    pendingText.setLength(0);
    return List.of(new Activity.AssistantText(t));
  }

  private static void claudeContent(JsonNode content, List<Activity> out) {
    if (content.isTextual()) {
      return; // a user prompt echoed back
    }
    for (JsonNode block : content) {
      switch (block.path("type").asText("")) {
        case "text" -> text(block, "text").map(Activity.AssistantText::new).ifPresent(out::add);
        case "tool_use" -> out.add(new Activity.ToolCall(block.path("name").asText("tool"),
            Optional.of(block.path("input")).filter(n -> !n.isMissingNode())));
        case "tool_result" -> out.add(new Activity.ToolResult(contentText(block.path("content")),
            block.path("is_error").asBoolean(false)));
        default -> { }
      }
    }
  }

  private static String contentText(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    List<String> parts = new ArrayList<>();
    for (JsonNode c : content) {
      text(c, "text").ifPresent(parts::add);
    }
    return String.join("\n", parts);
  }

  private static Activity claudeResult(JsonNode json) {
    boolean error = json.path("is_error").asBoolean(false)
        || !json.path("subtype").asText("success").equals("success");
    Optional<String> result = text(json, "result");
    Optional<String> why = error
        ? result.or(() -> Optional.of(json.path("subtype").asText("error")))
        : Optional.empty();
    OptionalDouble cost = json.path("total_cost_usd").isNumber()
        ? OptionalDouble.of(json.path("total_cost_usd").asDouble()) : OptionalDouble.empty();
    OptionalInt turns = json.path("num_turns").canConvertToInt()
        ? OptionalInt.of(json.path("num_turns").asInt()) : OptionalInt.empty();
    Optional<Duration> duration = json.path("duration_ms").isNumber()
        ? Optional.of(Duration.ofMillis(json.path("duration_ms").asLong())) : Optional.empty();
    return new Activity.Result(!error, error ? Optional.empty() : result, why, cost, turns, duration);
  }

  private static Activity geminiResult(JsonNode json) {
    boolean ok = json.path("status").asText("").equals("success");
    Optional<Duration> duration = json.path("stats").path("duration_ms").isNumber()
        ? Optional.of(Duration.ofMillis(json.path("stats").path("duration_ms").asLong())) : Optional.empty();
    return new Activity.Result(ok, Optional.empty(),
        ok ? Optional.empty() : text(json.path("error"), "message").or(() -> Optional.of("error")),
        OptionalDouble.empty(), OptionalInt.empty(), duration);
  }

  private void geminiMessage(JsonNode json, boolean delta, List<Activity> out) {
    if (!json.path("role").asText("").equals("assistant")) {
      return;
    }
    String content = json.path("content").asText("");
    if (delta) {
      pendingText.append(content);
    } else if (!content.isEmpty()) {
      out.add(new Activity.AssistantText(content));
    }
  }

  private static void toolUse(JsonNode json, List<Activity> out) {
    if (json.has("part")) { // opencode: call and result in one line
      JsonNode part = json.path("part");
      JsonNode state = part.path("state");
      out.add(new Activity.ToolCall(part.path("tool").asText("tool"),
          Optional.of(state.path("input")).filter(n -> !n.isMissingNode())));
      switch (state.path("status").asText("")) {
        case "completed" -> out.add(new Activity.ToolResult(state.path("output").asText(""), false));
        case "error" -> out.add(new Activity.ToolResult(state.path("error").asText("error"), true));
        default -> { }
      }
    } else { // gemini
      out.add(new Activity.ToolCall(json.path("tool_name").asText("tool"),
          Optional.of(json.path("parameters")).filter(n -> !n.isMissingNode())));
    }
  }

  private static void codexItem(JsonNode item, List<Activity> out) {
    switch (item.path("type").asText("")) {
      case "agent_message" -> text(item, "text").map(Activity.AssistantText::new).ifPresent(out::add);
      case "command_execution" -> {
        out.add(new Activity.ToolCall("shell", Optional.of(item.path("command"))));
        out.add(new Activity.ToolResult(item.path("aggregated_output").asText(""),
            item.path("exit_code").asInt(0) != 0));
      }
      case "error" -> out.add(new Activity.ToolResult(item.path("message").asText("error"), true));
      case "reasoning" -> { }
      default -> out.add(new Activity.ToolCall(item.path("type").asText("item"), Optional.empty()));
    }
  }

  private static Activity failure(String message) {
    return new Activity.Result(false, Optional.empty(), Optional.of(message), OptionalDouble.empty(),
        OptionalInt.empty(), Optional.empty());
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isValueNode() && !v.isNull() ? Optional.of(v.asText()) : Optional.empty();
  }
}
