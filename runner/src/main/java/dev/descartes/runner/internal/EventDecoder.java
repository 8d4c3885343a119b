package dev.descartes.runner.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.internal.io.JsonLines;
import dev.descartes.runner.internal.io.JsonTree;
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
public final class EventDecoder {

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

  /** A line's time and its {@link Instant}: the lines of one read share both. */
  private record Stamp(long millis, Instant at) {}

  private final AgentId id;
  private final String name;
  private final boolean json;
  private volatile Stamp stamp = new Stamp(0, Instant.EPOCH);

  EventDecoder(AgentId id, String name, boolean json) {
    this.id = id;
    this.name = name;
    this.json = json;
  }

  AgentEvent decode(LineLog.Entry e) {
    return decode(e.bytes(), e.complete(), instant(e.atMillis()));
  }

  /** The event of one line read at {@code at}. */
  AgentEvent decode(byte[] line, boolean complete, Instant at) {
    return decode(line, complete, at, (JsonLines) null);
  }

  /**
   * The event of one line read at {@code at}, its JSON parsed by {@code lines} (the parser of the
   * line's batch), or by a parser of its own if null.
   */
  AgentEvent decode(byte[] line, boolean complete, Instant at, JsonLines lines) {
    if (json && complete && looksLikeObject(line)) {
      try {
        ObjectNode node = lines != null ? lines.parseObject(line) : parseObject(line);
        if (node != null) {
          return new AgentEvent.Json(id, at, node, line);
        }
      } catch (IOException | RuntimeException notJson) {
        // falls through: a line that is not valid JSON is a raw line, never an error
      }
    }
    return new AgentEvent.RawLine(id, at, line, complete);
  }

  /** The {@link Instant} of {@code millis}: the lines of one read share one. */
  Instant instant(long millis) {
    Stamp s = stamp;
    if (s.millis() != millis) {
      s = new Stamp(millis, Instant.ofEpochMilli(millis));
      stamp = s;
    }
    return s.at();
  }

  /** A parser for the JSON lines of one batch, with this decoder's mapper. */
  static JsonLines jsonLines() {
    return new JsonLines(MAPPER);
  }

  /** See {@link JsonTree#parseObject}, with this decoder's mapper. */
  static ObjectNode parseObject(byte[] line) throws IOException {
    return JsonTree.parseObject(MAPPER, line);
  }

  /**
   * The events of one line: what {@code parser} makes of a JSON object, or the line's own event
   * when the parser does not recognize it (or throws, which is logged).
   */
  List<AgentEvent> decode(LineLog.Entry e, AgentEventParser parser) {
    return decode(e.bytes(), e.complete(), instant(e.atMillis()), parser);
  }

  /** As {@link #decode(LineLog.Entry, AgentEventParser)}, for a line read at {@code at}. */
  List<AgentEvent> decode(byte[] line, boolean complete, Instant at, AgentEventParser parser) {
    return decode(line, complete, at, null, parser);
  }

  /**
   * As {@link #decode(byte[], boolean, Instant, AgentEventParser)}, the JSON parsed by {@code
   * lines} if not null.
   */
  List<AgentEvent> decode(
      byte[] line, boolean complete, Instant at, JsonLines lines, AgentEventParser parser) {
    AgentEvent event = decode(line, complete, at, lines);
    if (event instanceof AgentEvent.Json j) {
      try {
        List<AgentEvent> parsed = parser.parse(id, j.at(), j.json());
        if (!parsed.isEmpty()) {
          return parsed;
        }
      } catch (Throwable bad) { // a parser's bug costs its events, never the line
        try (var _ = AgentMdc.of(id, name)) {
          LOG.debug("agent {}: event parser failed on a line: {}", id, bad.toString());
        }
      }
    }
    return List.of(event);
  }

  /**
   * The events of one complete line ({@code line} without its line end) of agent {@code id}, for
   * runners that read an agent's output themselves ({@link dev.descartes.runner.AgentOutcomes}).
   */
  public static List<AgentEvent> decodeLine(
      AgentId id, Instant at, byte[] line, AgentEventParser parser) {
    return new EventDecoder(id, "", true)
        .decode(new LineLog.Entry(0, 0, line, true, at.toEpochMilli()), parser);
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
