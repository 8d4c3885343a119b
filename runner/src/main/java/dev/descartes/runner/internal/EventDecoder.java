package dev.descartes.runner.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.internal.io.LineLog;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one stdout line into an {@link AgentEvent}: a JSON object becomes {@link AgentEvent.Json},
 * anything else {@link AgentEvent.RawLine}. Never throws for bad input. Thread-safe.
 */
final class EventDecoder {

  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION).build();

  static {
    // Agent lines can carry base64 images of tens of MB; the line cap bounds memory instead.
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE)
                .maxNestingDepth(2000)
                .build());
  }

  private static final Logger LOG = LoggerFactory.getLogger(EventDecoder.class);
  private static final JsonFactory FACTORY = MAPPER.getFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A line's time and its {@link Instant}: the lines of one read share both. */
  private record Stamp(long millis, Instant at) {}

  private final AgentId id;
  private final boolean json;
  private volatile Stamp stamp = new Stamp(0, Instant.EPOCH);

  EventDecoder(AgentId id, boolean json) {
    this.id = id;
    this.json = json;
  }

  AgentEvent decode(LineLog.Entry e) {
    Instant at = instant(e.atMillis());
    byte[] line = e.bytes();
    if (json && e.complete() && looksLikeObject(line)) {
      try {
        ObjectNode node = parseObject(line);
        if (node != null) {
          return new AgentEvent.Json(id, at, node, line);
        }
      } catch (IOException | RuntimeException notJson) {
        // falls through: a line that is not valid JSON is a raw line, never an error
      }
    }
    return new AgentEvent.RawLine(id, at, line, e.complete());
  }

  private Instant instant(long millis) {
    Stamp s = stamp;
    if (s.millis() != millis) {
      s = new Stamp(millis, Instant.ofEpochMilli(millis));
      stamp = s;
    }
    return s.at();
  }

  /**
   * The JSON object at the start of {@code line}, or null if its first value is not an object; the
   * tree {@code ObjectMapper.readTree} makes (what follows the first value is ignored, as it is
   * there), built straight from the streaming parser on the bytes, without the data-binding
   * machinery that {@code readTree} sets up for every call.
   *
   * @throws IOException if the object is not valid JSON
   */
  static ObjectNode parseObject(byte[] line) throws IOException {
    try (JsonParser p = FACTORY.createParser(line)) {
      return p.nextToken() == JsonToken.START_OBJECT ? readObject(p, 0) : null;
    } catch (TooDeep deep) {
      // readTree builds without recursion: the thread's stack is no limit there
      return MAPPER.readTree(line) instanceof ObjectNode o ? o : null;
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

  private static ObjectNode readObject(JsonParser p, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw TOO_DEEP;
    }
    ObjectNode o = NODES.objectNode();
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

  /**
   * The events of one line: what {@code parser} makes of a JSON object, or the line's own event
   * when the parser does not recognize it (or throws, which is logged).
   */
  List<AgentEvent> decode(LineLog.Entry e, AgentEventParser parser) {
    AgentEvent event = decode(e);
    if (event instanceof AgentEvent.Json j) {
      try {
        List<AgentEvent> parsed = parser.parse(id, j.at(), j.json());
        if (!parsed.isEmpty()) {
          return parsed;
        }
      } catch (RuntimeException bad) {
        LOG.debug("agent {}: event parser failed on a line: {}", id, bad.toString());
      }
    }
    return List.of(event);
  }

  private static boolean looksLikeObject(byte[] line) {
    for (byte b : line) {
      if (b == '{') {
        return true;
      }
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return false;
  }
}
