package dev.descartes.runner.internal.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Parses the JSON objects of consecutive lines (the lines of one read) with one non-blocking parser
 * fed line by line, instead of setting a parser up for every line. A line that this parser cannot
 * take whole (not an object, not valid, cut short, followed by more than whitespace, nested deeper
 * than {@link JsonTree} recurses) is left to {@link JsonTree#parseObject}, which decides it, and
 * the next line gets a new parser: the result of every line is the one {@code JsonTree.parseObject}
 * gives. Not thread-safe: one per batch of lines, on the thread that handles the batch, closed
 * after it (the parser's buffers go back to Jackson's pool, and its field names do not pile up).
 */
public final class JsonLines implements AutoCloseable {

  /** Lines per batch that may fall back before the rest of the batch goes line by line. */
  private static final int MAX_FALLBACKS = 8;

  private final ObjectMapper mapper;
  private JsonParser parser;
  private int fallbacks;

  /** Lines parsed with {@code mapper}'s factory and constraints. */
  public JsonLines(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * The JSON object at the start of {@code line}, or null if its first value is not an object: what
   * {@link JsonTree#parseObject} gives for the line.
   *
   * @throws IOException if the object is not valid JSON
   */
  public ObjectNode parseObject(byte[] line) throws IOException {
    if (fallbacks < MAX_FALLBACKS) {
      ObjectNode whole = parseWhole(line);
      if (whole != null) {
        return whole;
      }
      fallbacks++;
      discardParser();
    }
    return JsonTree.parseObject(mapper, line);
  }

  /**
   * The line's object if the shared parser takes the line whole: one object and nothing after it
   * but whitespace, so that the parser ends between two values, ready for the next line.
   */
  private ObjectNode parseWhole(byte[] line) {
    try {
      if (parser == null) {
        parser = mapper.getFactory().createNonBlockingByteArrayParser();
      }
      ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).feedInput(line, 0, line.length);
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ObjectNode o = JsonTree.readObject(parser);
      return parser.nextToken() == JsonToken.NOT_AVAILABLE ? o : null;
    } catch (IOException | RuntimeException notWhole) {
      return null;
    }
  }

  private void discardParser() {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException ignored) {
        // closing a parser over a byte array reads nothing and cannot fail
      }
      parser = null;
    }
  }

  /** Lets go of the parser. */
  @Override
  public void close() {
    discardParser();
  }
}
