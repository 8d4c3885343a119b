package dev.descartes.runner;

import java.util.Optional;

/**
 * How to talk to a CLI over stdin in a multi-turn session: the bytes of a user message, and of a
 * request to interrupt the current turn. {@link #claudeStreamJson()} is Claude Code's {@code
 * --input-format stream-json}, which Qwen Code speaks too. Implementations must be stateless and
 * thread-safe.
 */
public interface SessionProtocol {

  /**
   * Frames one user message.
   *
   * @param text the message
   * @return a complete line (or frame) for the CLI's stdin
   */
  byte[] userMessage(String text);

  /**
   * Frames the request that interrupts the current turn.
   *
   * @param requestId a unique id, for CLIs that answer requests by id
   * @return the request; empty if the CLI has none
   */
  Optional<byte[]> interruptTurn(String requestId);

  /**
   * {@return Claude Code's stream-json input: {@code
   * {"type":"user","message":{"role":"user","content":...}}} a line; interrupt with {@code
   * {"type":"control_request","request_id":...,"request":{"subtype": "interrupt"}}}}
   */
  static SessionProtocol claudeStreamJson() {
    return ClaudeStreamJson.WITH_INTERRUPT;
  }

  /**
   * {@return Claude's stream-json lines without the interrupt request (for CLIs that ignore it)}
   */
  static SessionProtocol claudeStreamJsonWithoutInterrupt() {
    return ClaudeStreamJson.WITHOUT_INTERRUPT;
  }
}
