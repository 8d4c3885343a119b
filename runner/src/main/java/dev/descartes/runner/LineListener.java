package dev.descartes.runner;

/**
 * Receives every stdout line of an agent as a view of the runner's own buffer, with no copy and no
 * object made per line: the way to consume output at the rate of the pipe. Registered with {@link
 * LocalProcessRunner#onLine(LineListener)}.
 *
 * <p>The bytes {@code buffer[offset, offset + length)} are the line, newline included if it had
 * one; they are valid only during the call (the runner reuses the buffer for the next read) and
 * must not be changed. Copy what must outlive the call ({@code Arrays.copyOfRange}). Lines of one
 * agent arrive in order on the thread that reads that agent's output, one at a time; a slow
 * listener holds that agent back, like an event listener ({@link AgentHandle#onEvent}). An
 * implementation is called from several threads for different agents, so it must be thread-safe if
 * it keeps state across agents.
 */
@FunctionalInterface
public interface LineListener {

  /**
   * One stdout line.
   *
   * @param agent the agent that wrote it
   * @param buffer holds the line; valid only during this call, and not to be modified
   * @param offset where the line starts in {@code buffer}
   * @param length the line's length in bytes, newline included if it had one
   * @param complete false for a piece of a line longer than {@link
   *     ProcessRunnerConfig#maxLineBytes()}
   */
  void line(AgentId agent, byte[] buffer, int offset, int length, boolean complete);
}
