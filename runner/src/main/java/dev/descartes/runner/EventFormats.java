package dev.descartes.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** The built-in event parsers by format name, and small helpers they share. */
final class EventFormats {

  /** Recognizes nothing; the outcome of its agents follows the exit code. */
  static final AgentEventParser NONE =
      new AgentEventParser() {
        @Override
        public List<AgentEvent> parse(AgentId agentId, Instant at, JsonNode json) {
          return List.of();
        }

        @Override
        public boolean reportsResults() {
          return false;
        }
      };

  private EventFormats() {}

  /**
   * A new parser for {@code claude}, {@code qwen}, {@code opencode}, {@code codex} or {@code
   * gemini}.
   */
  static Optional<AgentEventParser> forFormat(String format) {
    return Optional.ofNullable(
        switch (format) {
          case "claude" -> new ClaudeParser(false);
          case "qwen" -> new ClaudeParser(true);
          case "opencode" -> new OpencodeParser();
          case "codex" -> new CodexParser();
          case "gemini" -> new GeminiParser();
          case "none" -> NONE;
          default -> null;
        });
  }

  /** The text of a field, or empty when it is missing, null or blank. */
  static Optional<String> text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
  }

  static OptionalInt integer(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isNumber() ? OptionalInt.of(v.asInt()) : OptionalInt.empty();
  }

  static OptionalDouble number(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
  }

  /** Tool output as text: a string as is, an array of text blocks joined, anything else as JSON. */
  static String content(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode block : content) {
        if (block.isTextual()) {
          sb.append(block.asText());
        } else if (block.has("text")) {
          sb.append(block.path("text").asText());
        }
      }
      return sb.toString();
    }
    return content.isMissingNode() || content.isNull() ? "" : content.toString();
  }
}
