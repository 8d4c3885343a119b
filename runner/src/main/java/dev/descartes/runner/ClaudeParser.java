package dev.descartes.runner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Claude Code's {@code stream-json} (and Qwen Code's, which copies it): {@code system/init}, {@code
 * assistant} and {@code user} messages, {@code stream_event} deltas, and the final {@code result}.
 * Claude's {@code total_cost_usd} is a running total per process; the {@link AgentEvent.Usage}
 * events carry each turn's share. Qwen may report an API error as a successful result whose text
 * starts with {@code [API Error}; that counts as a failure. Not thread-safe.
 */
final class ClaudeParser implements AgentEventParser {

  private final boolean qwen;
  private double costSoFar;

  ClaudeParser(boolean qwen) {
    this.qwen = qwen;
  }

  @Override
  public List<AgentEvent> parse(AgentId id, Instant at, JsonNode json) {
    List<AgentEvent> out = new ArrayList<>();
    switch (json.path("type").asText()) {
      case "system" -> {
        if (json.path("subtype").asText().equals("init")) {
          EventFormats.text(json, "session_id")
              .ifPresent(
                  s ->
                      out.add(
                          new AgentEvent.SessionStarted(
                              id, at, s, EventFormats.text(json, "model"), json)));
        }
      }
      case "assistant" -> {
        for (JsonNode block : json.path("message").path("content")) {
          switch (block.path("type").asText()) {
            case "text" ->
                out.add(
                    new AgentEvent.AssistantText(id, at, block.path("text").asText(), false, json));
            case "tool_use" ->
                out.add(
                    new AgentEvent.ToolCall(
                        id,
                        at,
                        block.path("id").asText(),
                        block.path("name").asText(),
                        block.path("input"),
                        json));
            default -> {}
          }
        }
      }
      case "user" -> {
        for (JsonNode block : json.path("message").path("content")) {
          if (block.path("type").asText().equals("tool_result")) {
            out.add(
                new AgentEvent.ToolResult(
                    id,
                    at,
                    block.path("tool_use_id").asText(),
                    EventFormats.content(block.path("content")),
                    block.path("is_error").asBoolean(false),
                    json));
          }
        }
      }
      case "stream_event" -> {
        JsonNode event = json.path("event");
        JsonNode delta = event.path("delta");
        if (event.path("type").asText().equals("content_block_delta")
            && delta.path("type").asText().equals("text_delta")) {
          out.add(new AgentEvent.AssistantText(id, at, delta.path("text").asText(), true, json));
        }
      }
      case "result" -> result(id, at, json, out);
      default -> {}
    }
    return out;
  }

  private void result(AgentId id, Instant at, JsonNode json, List<AgentEvent> out) {
    JsonNode usage = json.path("usage");
    OptionalDouble cost = OptionalDouble.empty();
    if (json.path("total_cost_usd").isNumber()) {
      double total = json.path("total_cost_usd").asDouble();
      cost = OptionalDouble.of(Math.max(0, total - costSoFar));
      costSoFar = Math.max(costSoFar, total);
    }
    long in =
        usage.path("input_tokens").asLong(0)
            + usage.path("cache_read_input_tokens").asLong(0)
            + usage.path("cache_creation_input_tokens").asLong(0);
    out.add(new AgentEvent.Usage(id, at, in, usage.path("output_tokens").asLong(0), cost, json));

    String subtype = json.path("subtype").asText();
    Optional<String> resultText = EventFormats.text(json, "result");
    Optional<String> error =
        EventFormats.text(json.path("error"), "message").or(() -> errors(json));
    String text = resultText.or(() -> error).orElse("");
    boolean apiErrorText = text.startsWith("API Error") || text.startsWith("[API Error");
    boolean success =
        !json.path("is_error").asBoolean(false)
            && subtype.equals("success")
            && !(qwen && apiErrorText);
    Optional<ErrorKind> kind = Optional.empty();
    Optional<String> message = Optional.empty();
    if (!success) {
      String reason = json.path("terminal_reason").asText("");
      boolean api =
          json.path("api_error_status").isNumber()
              || reason.equals("api_error")
              || apiErrorText
              || error.filter(m -> m.contains("API Error")).isPresent();
      kind =
          Optional.of(
              api
                  ? ErrorKind.API_ERROR
                  : subtype.equals("error_max_turns")
                      ? ErrorKind.MAX_TURNS
                      : subtype.contains("budget") || reason.contains("budget")
                          ? ErrorKind.BUDGET
                          : reason.startsWith("aborted") || reason.contains("interrupt")
                              ? ErrorKind.INTERRUPTED
                              : ErrorKind.EXECUTION_ERROR);
      message = error.or(() -> resultText).or(() -> Optional.of(subtype + " (" + reason + ")"));
    }
    out.add(
        new AgentEvent.Result(
            id,
            at,
            success,
            text,
            kind,
            message,
            EventFormats.integer(json, "num_turns"),
            EventFormats.text(json, "session_id"),
            json));
  }

  private static Optional<String> errors(JsonNode json) {
    List<String> list = new ArrayList<>();
    for (JsonNode e : json.path("errors")) {
      list.add(e.asText());
    }
    return list.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", list));
  }
}
