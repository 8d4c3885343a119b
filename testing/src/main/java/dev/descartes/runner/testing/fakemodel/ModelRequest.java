package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One request the fake model server received.
 *
 * @param protocol which API was called
 * @param path the request path with its query
 * @param body the JSON body ({@code MissingNode} when there was none)
 * @param lastUserText the text of the last user message, or {@code ""}
 * @param afterTool whether the last message carries a tool's result
 * @param streaming whether the client asked for a streamed answer
 * @param jsonSchema the schema of a structured (JSON) answer the client asked for, else missing;
 *     such requests (routing, classification) get a sample object, never the script's reply
 */
public record ModelRequest(
    Protocol protocol,
    String path,
    JsonNode body,
    String lastUserText,
    boolean afterTool,
    boolean streaming,
    JsonNode jsonSchema) {

  /** Whether the client asked for a structured JSON answer instead of a conversation turn. */
  public boolean structured() {
    return !jsonSchema.isMissingNode();
  }

  /** The model APIs the server speaks. */
  public enum Protocol {
    ANTHROPIC_MESSAGES,
    OPENAI_CHAT,
    OPENAI_RESPONSES,
    GEMINI,
    OTHER
  }
}
