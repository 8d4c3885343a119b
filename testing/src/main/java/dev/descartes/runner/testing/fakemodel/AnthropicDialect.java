package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Anthropic Messages: {@code POST /v1/messages}, streamed as {@code message_start} ... {@code
 * message_stop}.
 */
final class AnthropicDialect implements Dialect {

  static final AnthropicDialect INSTANCE = new AnthropicDialect();

  @Override
  public ModelRequest read(String path, JsonNode body) {
    JsonNode last = lastTurn(body.path("messages"));
    boolean afterTool = false;
    StringBuilder text = new StringBuilder();
    if (last.path("role").asText().equals("user")) {
      JsonNode content = last.path("content");
      if (content.isTextual()) {
        text.append(content.asText());
      }
      for (JsonNode block : content) {
        switch (block.path("type").asText()) {
          case "tool_result" -> {
            afterTool = true;
            text.setLength(0);
          }
          case "text" -> {
            String t = block.path("text").asText();
            if (!t.startsWith("<system-reminder>") && !t.startsWith("[Request interrupted")) {
              text.setLength(0);
              text.append(t);
              afterTool = false;
            }
          }
          default -> {}
        }
      }
    }
    return new ModelRequest(
        ModelRequest.Protocol.ANTHROPIC_MESSAGES,
        path,
        body,
        text.toString(),
        afterTool,
        body.path("stream").asBoolean(false),
        com.fasterxml.jackson.databind.node.MissingNode.getInstance());
  }

  /** The last user or assistant message (claude puts a {@code system} message after the user's). */
  static JsonNode lastTurn(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      String role = messages.get(i).path("role").asText();
      if (role.equals("user") || role.equals("assistant") || role.equals("tool")) {
        return messages.get(i);
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  @Override
  public Map<String, JsonNode> tools(JsonNode body) {
    Map<String, JsonNode> tools = new LinkedHashMap<>();
    for (JsonNode t : body.path("tools")) {
      tools.put(t.path("name").asText(), t.path("input_schema"));
    }
    return tools;
  }

  @Override
  public void write(Exchange ex, ModelRequest request, Answer answer) throws IOException {
    String model = request.body().path("model").asText("fake-model");
    if (answer instanceof Answer.Error e) {
      ObjectNode body = FakeModelServer.JSON.createObjectNode().put("type", "error");
      body.putObject("error")
          .put(
              "type",
              e.status() == 400
                  ? "invalid_request_error"
                  : e.status() == 429 ? "rate_limit_error" : "api_error")
          .put("message", e.message());
      ex.json(e.status(), body, e.headers());
      return;
    }
    ObjectNode block = FakeModelServer.JSON.createObjectNode();
    String stopReason;
    String delta;
    switch (answer) {
      case Answer.Text t -> {
        block.put("type", "text").put("text", t.text());
        stopReason = "end_turn";
        delta = t.text();
      }
      case Answer.ToolCall c -> {
        block
            .put("type", "tool_use")
            .put("id", "toolu_" + c.id())
            .put("name", c.name())
            .set("input", c.arguments());
        stopReason = "tool_use";
        delta = FakeModelServer.JSON.writeValueAsString(c.arguments());
      }
      case Answer.Error e -> throw new AssertionError();
    }
    ObjectNode message =
        FakeModelServer.JSON
            .createObjectNode()
            .put("id", "msg_" + System.nanoTime())
            .put("type", "message")
            .put("role", "assistant")
            .put("model", model);
    ObjectNode usage =
        FakeModelServer.JSON
            .createObjectNode()
            .put("input_tokens", 12)
            .put("output_tokens", 7)
            .put("cache_creation_input_tokens", 0)
            .put("cache_read_input_tokens", 0);
    if (!request.streaming()) {
      message.putArray("content").add(block);
      message.put("stop_reason", stopReason).putNull("stop_sequence");
      message.set("usage", usage);
      ex.json(200, message);
      return;
    }
    Sse sse = ex.sse();
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    message.set("usage", usage.deepCopy().put("output_tokens", 1));
    sse.event("message_start", obj("message_start").set("message", message));
    ObjectNode start = block.deepCopy();
    if (start.has("text")) {
      start.put("text", "");
    } else {
      start.putObject("input");
    }
    sse.event(
        "content_block_start",
        obj("content_block_start").put("index", 0).set("content_block", start));
    ObjectNode d = obj("content_block_delta").put("index", 0);
    if (block.has("text")) {
      d.putObject("delta").put("type", "text_delta").put("text", delta);
    } else {
      d.putObject("delta").put("type", "input_json_delta").put("partial_json", delta);
    }
    sse.event("content_block_delta", d);
    sse.event("content_block_stop", obj("content_block_stop").put("index", 0));
    ObjectNode md = obj("message_delta");
    md.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
    md.putObject("usage").put("output_tokens", 7);
    sse.event("message_delta", md);
    sse.event("message_stop", obj("message_stop"));
  }

  private static ObjectNode obj(String type) {
    return FakeModelServer.JSON.createObjectNode().put("type", type);
  }
}
