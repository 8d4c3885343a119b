package dev.descartes.cli;

import com.fasterxml.jackson.core.JsonToken;
import java.util.LinkedHashMap;

/**
 * A fleet file's content as read by {@link Tree}: mappings, lists and scalars, each with the place
 * it starts at, so that every problem found later can say {@code file:line:column}.
 */
sealed interface Node {

  /** Where this node starts. */
  Pos at();

  /** What a user calls this kind of value, for messages. */
  String kind();

  /** A place in a file; {@code line} is 0 when unknown (then only the file is named). */
  record Pos(String file, int line, int column) {
    @Override
    public String toString() {
      return line < 1 ? file : file + ":" + line + ":" + Math.max(1, column);
    }
  }

  /** A mapping, its keys in file order, each with the place of the key. */
  record MapNode(Pos at, LinkedHashMap<String, Entry> entries) implements Node {
    @Override
    public String kind() {
      return "a mapping";
    }
  }

  /** One key of a mapping: where the key stands, and its value. */
  record Entry(Pos keyAt, Node value) {}

  /** A list. */
  record ListNode(Pos at, java.util.List<Node> items) implements Node {
    @Override
    public String kind() {
      return "a list";
    }
  }

  /** A string, number, boolean or null, with its text as written. */
  record Scalar(Pos at, JsonToken token, String text) implements Node {
    @Override
    public String kind() {
      return switch (token) {
        case VALUE_NULL -> "empty";
        case VALUE_TRUE, VALUE_FALSE -> "true or false";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
        default -> "a string";
      };
    }

    boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }
  }
}
