package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gemini: {@code POST /v1beta/models/M:streamGenerateContent?alt=sse} (SSE {@code data:} chunks)
 * and {@code :generateContent} (one JSON body).
 */
final class GeminiDialect implements Dialect {

  static final GeminiDialect INSTANCE = new GeminiDialect();

  @Override
  public ModelRequest read(String path, JsonNode body) {
    JsonNode contents = body.path("contents");
    JsonNode last = contents.path(contents.size() - 1);
    boolean afterTool = false;
    String text = "";
    if (last.path("role").asText("user").equals("user")) {
      for (JsonNode part : last.path("parts")) {
        if (part.has("functionResponse")) {
          afterTool = true;
        }
        String t = part.path("text").asText("");
        if (!t.isEmpty()) {
          text = t;
        }
      }
    }
    return new ModelRequest(
        ModelRequest.Protocol.GEMINI,
        path,
        body,
        afterTool ? "" : text,
        afterTool,
        path.contains(":streamGenerateContent"),
        body.path("generationConfig").path("responseJsonSchema"));
  }

  @Override
  public Map<String, JsonNode> tools(JsonNode body) {
    Map<String, JsonNode> tools = new LinkedHashMap<>();
    for (JsonNode t : body.path("tools")) {
      for (JsonNode f : t.path("functionDeclarations")) {
        JsonNode schema =
            f.has("parametersJsonSchema") ? f.path("parametersJsonSchema") : f.path("parameters");
        tools.put(f.path("name").asText(), lowerTypes(schema));
      }
    }
    return tools;
  }

  /** Gemini schemas may spell types in capitals ({@code STRING}); the server reads lower case. */
  private static JsonNode lowerTypes(JsonNode schema) {
    JsonNode copy = schema.deepCopy();
    copy.path("properties")
        .forEach(
            p -> {
              if (p instanceof ObjectNode o && o.has("type")) {
                o.put("type", o.path("type").asText().toLowerCase(java.util.Locale.ROOT));
              }
            });
    return copy;
  }

  @Override
  public void write(Exchange ex, ModelRequest request, Answer answer) throws IOException {
    if (answer instanceof Answer.Error e) {
      ObjectNode body = FakeModelServer.JSON.createObjectNode();
      body.putObject("error")
          .put("code", e.status())
          .put("message", e.message())
          .put("status", e.status() == 400 ? "INVALID_ARGUMENT" : "INTERNAL");
      ex.json(e.status(), body);
      return;
    }
    ObjectNode part = FakeModelServer.JSON.createObjectNode();
    switch (answer) {
      case Answer.Text t ->
          part.put(
              "text",
              request.structured()
                  ? FakeModelServer.JSON.writeValueAsString(Schemas.sample(request.jsonSchema()))
                  : t.text());
      case Answer.ToolCall c ->
          part.putObject("functionCall")
              .put("id", c.id())
              .put("name", c.name())
              .set("args", c.arguments());
      case Answer.Error e -> throw new AssertionError();
    }
    ObjectNode chunk = FakeModelServer.JSON.createObjectNode();
    ObjectNode candidate = chunk.putArray("candidates").addObject();
    candidate.putObject("content").put("role", "model").putArray("parts").add(part);
    candidate.put("finishReason", "STOP").put("index", 0);
    chunk
        .putObject("usageMetadata")
        .put("promptTokenCount", 12)
        .put("candidatesTokenCount", 7)
        .put("totalTokenCount", 19);
    chunk.put("modelVersion", "fake-model");
    if (!request.streaming()) {
      ex.json(200, chunk);
      return;
    }
    ex.sse().data(chunk);
  }
}
