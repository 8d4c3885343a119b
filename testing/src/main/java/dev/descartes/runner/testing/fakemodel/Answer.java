package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A {@link Reply} resolved against one request: what a dialect writes back. */
sealed interface Answer {

  record Text(String text) implements Answer {}

  /** A tool call of {@code name} with {@code arguments}; {@code id} is unique per server. */
  record ToolCall(String id, String name, ObjectNode arguments) implements Answer {}

  /** An HTTP error; {@code headers} go with it (a 429's {@code retry-after}). */
  record Error(int status, String message, java.util.Map<String, String> headers)
      implements Answer {
    Error(int status, String message) {
      this(status, message, java.util.Map.of());
    }
  }
}
