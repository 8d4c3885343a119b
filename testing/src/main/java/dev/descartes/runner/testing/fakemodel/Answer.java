package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A {@link Reply} resolved against one request: what a dialect writes back. */
sealed interface Answer {

  record Text(String text) implements Answer {}

  /** A tool call of {@code name} with {@code arguments}; {@code id} is unique per server. */
  record ToolCall(String id, String name, ObjectNode arguments) implements Answer {}

  record Error(int status, String message) implements Answer {}
}
