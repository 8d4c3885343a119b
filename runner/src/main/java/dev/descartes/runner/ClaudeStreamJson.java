package dev.descartes.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Claude Code's {@code --input-format stream-json} lines, with or without the interrupt request.
 * Thread-safe.
 */
final class ClaudeStreamJson implements SessionProtocol {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final ClaudeStreamJson WITH_INTERRUPT = new ClaudeStreamJson(true);
  static final ClaudeStreamJson WITHOUT_INTERRUPT = new ClaudeStreamJson(false);

  private final boolean interrupts;

  private ClaudeStreamJson(boolean interrupts) {
    this.interrupts = interrupts;
  }

  @Override
  public byte[] userMessage(String text) {
    ObjectNode line = JSON.createObjectNode().put("type", "user");
    line.putObject("message").put("role", "user").put("content", text);
    return (line + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Optional<byte[]> interruptTurn(String requestId) {
    if (!interrupts) {
      return Optional.empty();
    }
    ObjectNode line =
        JSON.createObjectNode().put("type", "control_request").put("request_id", requestId);
    line.putObject("request").put("subtype", "interrupt");
    return Optional.of((line + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
