package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI chat completions: {@code POST /v1/chat/completions}, streamed as {@code data:} chunks and
 * {@code [DONE]}.
 */
final class ChatCompletionsDialect implements Dialect {

  static final ChatCompletionsDialect INSTANCE = new ChatCompletionsDialect();

  @Override
  public ModelRequest read(String path, JsonNode body) {
    JsonNode messages = body.path("messages");
    JsonNode last = AnthropicDialect.lastTurn(messages);
    boolean afterTool = last.path("role").asText().equals("tool");
    String text = "";
    if (last.path("role").asText().equals("user")) {
      text = text(last.path("content"));
    }
    return new ModelRequest(
        ModelRequest.Protocol.OPENAI_CHAT,
        path,
        body,
        text,
        afterTool,
        body.path("stream").asBoolean(false),
        com.fasterxml.jackson.databind.node.MissingNode.getInstance());
  }

  /** The last text part that is not a system reminder. */
  static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    String text = "";
    for (JsonNode part : content) {
      String t = part.path("text").asText("");
      if (!t.isEmpty() && !t.startsWith("<system-reminder>")) {
        text = t;
      }
    }
    return text;
  }

  @Override
  public Map<String, JsonNode> tools(JsonNode body) {
    Map<String, JsonNode> tools = new LinkedHashMap<>();
    for (JsonNode t : body.path("tools")) {
      tools.put(t.path("function").path("name").asText(), t.path("function").path("parameters"));
    }
    return tools;
  }

  /** An API error as both OpenAI APIs send it. */
  static void writeError(Exchange ex, Answer.Error e) throws IOException {
    ObjectNode body = FakeModelServer.JSON.createObjectNode();
    body.putObject("error")
        .put("message", e.message())
        .put("type", e.status() == 429 ? "rate_limit_exceeded" : "invalid_request_error")
        .put("code", e.status() == 429 ? "rate_limit_exceeded" : "fake_error");
    ex.json(e.status(), body, e.headers());
  }

  @Override
  public void write(Exchange ex, ModelRequest request, Answer answer) throws IOException {
    if (answer instanceof Answer.Error e) {
      writeError(ex, e);
      return;
    }
    String model = request.body().path("model").asText("fake-model");
    ObjectNode message = FakeModelServer.JSON.createObjectNode().put("role", "assistant");
    String finish;
    switch (answer) {
      case Answer.Text t -> {
        message.put("content", t.text());
        finish = "stop";
      }
      case Answer.ToolCall c -> {
        message.putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("index", 0).put("id", c.id()).put("type", "function");
        call.putObject("function")
            .put("name", c.name())
            .put("arguments", FakeModelServer.JSON.writeValueAsString(c.arguments()));
        finish = "tool_calls";
      }
      case Answer.Error e -> throw new AssertionError();
    }
    ObjectNode usage =
        FakeModelServer.JSON
            .createObjectNode()
            .put("prompt_tokens", 12)
            .put("completion_tokens", 7)
            .put("total_tokens", 19);
    String id = "chatcmpl-" + System.nanoTime();
    long created = System.currentTimeMillis() / 1000;
    if (!request.streaming()) {
      ObjectNode body =
          FakeModelServer.JSON
              .createObjectNode()
              .put("id", id)
              .put("object", "chat.completion")
              .put("created", created)
              .put("model", model);
      body.putArray("choices")
          .addObject()
          .put("index", 0)
          .put("finish_reason", finish)
          .set("message", message);
      body.set("usage", usage);
      ex.json(200, body);
      return;
    }
    Sse sse = ex.sse();
    ObjectNode chunk = chunk(id, created, model);
    ((ObjectNode) chunk.withArray("choices").get(0)).set("delta", message);
    sse.data(chunk);
    ObjectNode end = chunk(id, created, model);
    ((ObjectNode) end.withArray("choices").get(0)).put("finish_reason", finish).putObject("delta");
    end.set("usage", usage);
    sse.data(end);
    sse.data("[DONE]");
  }

  private static ObjectNode chunk(String id, long created, String model) {
    ObjectNode c =
        FakeModelServer.JSON
            .createObjectNode()
            .put("id", id)
            .put("object", "chat.completion.chunk")
            .put("created", created)
            .put("model", model);
    c.putArray("choices").addObject().put("index", 0).putNull("finish_reason");
    return c;
  }
}
