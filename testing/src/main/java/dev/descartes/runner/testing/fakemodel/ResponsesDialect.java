package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** OpenAI Responses: {@code POST /v1/responses}, streamed as {@code response.*} events. */
final class ResponsesDialect implements Dialect {

  static final ResponsesDialect INSTANCE = new ResponsesDialect();

  @Override
  public ModelRequest read(String path, JsonNode body) {
    JsonNode input = body.path("input");
    String text = "";
    boolean afterTool = false;
    if (input.isTextual()) {
      text = input.asText();
    } else if (input.size() > 0) {
      JsonNode last = input.get(input.size() - 1);
      String type = last.path("type").asText("message");
      afterTool = type.endsWith("_call_output");
      if (type.equals("message") && last.path("role").asText().equals("user")) {
        text = ChatCompletionsDialect.text(last.path("content"));
      }
    }
    return new ModelRequest(
        ModelRequest.Protocol.OPENAI_RESPONSES,
        path,
        body,
        text,
        afterTool,
        body.path("stream").asBoolean(false),
        com.fasterxml.jackson.databind.node.MissingNode.getInstance());
  }

  @Override
  public Map<String, JsonNode> tools(JsonNode body) {
    Map<String, JsonNode> tools = new LinkedHashMap<>();
    for (JsonNode t : body.path("tools")) {
      if (t.path("type").asText().equals("function")) {
        tools.put(t.path("name").asText(), t.path("parameters"));
      }
    }
    return tools;
  }

  @Override
  public void write(Exchange ex, ModelRequest request, Answer answer) throws IOException {
    if (answer instanceof Answer.Error e) {
      ChatCompletionsDialect.writeError(ex, e);
      return;
    }
    String model = request.body().path("model").asText("fake-model");
    String respId = "resp_" + System.nanoTime();
    ObjectNode item = FakeModelServer.JSON.createObjectNode();
    switch (answer) {
      case Answer.Text t -> {
        item.put("type", "message")
            .put("id", "msg_" + System.nanoTime())
            .put("role", "assistant")
            .put("status", "completed");
        item.putArray("content")
            .addObject()
            .put("type", "output_text")
            .put("text", t.text())
            .putArray("annotations");
      }
      case Answer.ToolCall c ->
          item.put("type", "function_call")
              .put("id", "fc_" + c.id())
              .put("call_id", c.id())
              .put("name", c.name())
              .put("arguments", FakeModelServer.JSON.writeValueAsString(c.arguments()))
              .put("status", "completed");
      case Answer.Error e -> throw new AssertionError();
    }
    ObjectNode response =
        FakeModelServer.JSON
            .createObjectNode()
            .put("id", respId)
            .put("object", "response")
            .put("created_at", System.currentTimeMillis() / 1000)
            .put("model", model);
    if (!request.streaming()) {
      response.put("status", "completed").putArray("output").add(item);
      response.set("usage", usage());
      ex.json(200, response);
      return;
    }
    Sse sse = ex.sse();
    int seq = 0;
    ObjectNode created = response.deepCopy().put("status", "in_progress");
    created.putArray("output");
    sse.event("response.created", obj("response.created", seq++).set("response", created));
    ObjectNode added = item.deepCopy().put("status", "in_progress");
    if (added.has("content")) {
      added.putArray("content");
    }
    sse.event(
        "response.output_item.added",
        obj("response.output_item.added", seq++).put("output_index", 0).set("item", added));
    if (answer instanceof Answer.Text t) {
      sse.event(
          "response.output_text.delta",
          obj("response.output_text.delta", seq++)
              .put("item_id", item.path("id").asText())
              .put("output_index", 0)
              .put("content_index", 0)
              .put("delta", t.text()));
    }
    sse.event(
        "response.output_item.done",
        obj("response.output_item.done", seq++).put("output_index", 0).set("item", item));
    ObjectNode done = response.deepCopy().put("status", "completed");
    ArrayNode output = done.putArray("output");
    output.add(item);
    done.set("usage", usage());
    sse.event("response.completed", obj("response.completed", seq).set("response", done));
  }

  private static ObjectNode usage() {
    ObjectNode u = FakeModelServer.JSON.createObjectNode().put("input_tokens", 12);
    u.putObject("input_tokens_details").put("cached_tokens", 0);
    u.put("output_tokens", 7);
    u.putObject("output_tokens_details").put("reasoning_tokens", 0);
    u.put("total_tokens", 19);
    return u;
  }

  private static ObjectNode obj(String type, int seq) {
    return FakeModelServer.JSON.createObjectNode().put("type", type).put("sequence_number", seq);
  }
}
