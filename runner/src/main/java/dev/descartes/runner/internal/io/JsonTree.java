package dev.descartes.runner.internal.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Builds a line's JSON tree straight from Jackson's streaming parser on its bytes: no {@code
 * String} of the line, and none of the data-binding setup (deserialization context, deserializer
 * lookup) that {@code ObjectMapper.readTree} does for every call. Thread-safe: no state.
 */
public final class JsonTree {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTree() {}

  /**
   * The JSON object at the start of {@code line}, or null if its first value is not an object; the
   * tree {@code ObjectMapper.readTree} makes (what follows the first value is ignored, as it is
   * there), built straight from the streaming parser on the bytes, without the data-binding
   * machinery that {@code readTree} sets up for every call.
   *
   * @throws IOException if the object is not valid JSON
   */
  public static ObjectNode parseObject(ObjectMapper mapper, byte[] line) throws IOException {
    try (JsonParser p = mapper.getFactory().createParser(line)) {
      return p.nextToken() == JsonToken.START_OBJECT ? readObject(p, 0) : null;
    } catch (TooDeep deep) {
      // readTree builds without recursion: the thread's stack is no limit there
      return mapper.readTree(line) instanceof ObjectNode o ? o : null;
    }
  }

  /** The recursion depth beyond which {@link #parseObject} leaves the line to {@code readTree}. */
  private static final int MAX_DEPTH = 64;

  private static final class TooDeep extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooDeep() {
      super(null, null, false, false);
    }
  }

  private static final TooDeep TOO_DEEP = new TooDeep();

  /**
   * The rest of the object whose {@code START_OBJECT} {@code p} has just returned. A parser that
   * runs out of input ({@code NOT_AVAILABLE}, from a non-blocking one) inside it gets an {@link
   * IOException}, as a line that ends inside it does.
   *
   * @throws IOException if the object is not valid JSON or not whole
   * @throws RuntimeException if it nests deeper than this recursion takes
   */
  static ObjectNode readObject(JsonParser p) throws IOException {
    return readObject(p, 0);
  }

  private static ObjectNode readObject(JsonParser p, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw TOO_DEEP;
    }
    ObjectNode o = NODES.objectNode();
    if (p.canParseAsync()) {
      // a non-blocking parser's NOT_AVAILABLE leaves currentToken() as it was: go by what
      // nextToken() returns
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        o.set(p.currentName(), readValue(p, p.nextToken(), depth + 1));
      }
      if (t != JsonToken.END_OBJECT) {
        throw new IOException("unexpected " + t + " in an object");
      }
      return o;
    }
    String name;
    while ((name = p.nextFieldName()) != null) {
      o.set(name, readValue(p, p.nextToken(), depth + 1));
    }
    if (!p.hasToken(JsonToken.END_OBJECT)) {
      throw new IOException("unexpected " + p.currentToken() + " in an object");
    }
    return o;
  }

  private static ArrayNode readArray(JsonParser p, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw TOO_DEEP;
    }
    ArrayNode a = NODES.arrayNode();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      a.add(readValue(p, t, depth + 1));
    }
    return a;
  }

  private static JsonNode readValue(JsonParser p, JsonToken t, int depth) throws IOException {
    if (t == null) {
      throw new IOException("the line ends inside a JSON value");
    }
    return switch (t) {
      case START_OBJECT -> readObject(p, depth);
      case START_ARRAY -> readArray(p, depth);
      case VALUE_STRING -> NODES.textNode(p.getText());
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> NODES.numberNode(p.getIntValue());
            case LONG -> NODES.numberNode(p.getLongValue());
            default -> NODES.numberNode(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      case VALUE_EMBEDDED_OBJECT -> NODES.pojoNode(p.getEmbeddedObject());
      default -> throw new IOException("unexpected " + t);
    };
  }
}
