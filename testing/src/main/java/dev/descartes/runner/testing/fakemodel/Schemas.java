package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Makes a plain value that satisfies a JSON schema (as Gemini spells them: {@code OBJECT}, {@code
 * STRING}, ...).
 */
final class Schemas {

  private Schemas() {}

  static JsonNode sample(JsonNode schema) {
    if (schema.has("enum") && schema.path("enum").size() > 0) {
      return schema.path("enum").get(0);
    }
    return switch (schema.path("type").asText("object").toLowerCase(Locale.ROOT)) {
      case "object" -> {
        ObjectNode o = FakeModelServer.JSON.createObjectNode();
        schema
            .path("properties")
            .properties()
            .forEach(p -> o.set(p.getKey(), sample(p.getValue())));
        yield o;
      }
      case "array" -> {
        ArrayNode a = FakeModelServer.JSON.createArrayNode();
        yield a;
      }
      case "integer", "number" -> FakeModelServer.JSON.getNodeFactory().numberNode(1);
      case "boolean" -> FakeModelServer.JSON.getNodeFactory().booleanNode(false);
      default -> FakeModelServer.JSON.getNodeFactory().textNode("fake");
    };
  }
}
