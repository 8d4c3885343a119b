package dev.descartes.runner;

/**
 * Receives every stdout line of an agent as a view of a buffer of the runner's, with no copy made
 * for it and no object per line: the way to consume output at the rate of the pipe. Registered with
 * {@link LocalProcessRunner#onLine(LineListener)}.
 *
 * <p>The bytes {@code buffer[offset, offset + length)} are the line, newline included if it had
 * one. The buffer is usually the block of the runner's window that the read went into, which holds
 * the window's copy of the line, or the runner's read buffer, which the next read reuses, and
 * sometimes the line's own array that the runner's window and event listeners share: either way the
 * bytes are valid only during the call and must not be changed (a change would corrupt what others
 * see). Copy what must outlive the call ({@code Arrays.copyOfRange}). When event listeners or a CLI
 * whose results the runner parses need each line as an array, the runner copies each line once for
 * them; a line listener adds no copy of its own.
 *
 * <p>Lines of one agent arrive in order on the thread that reads that agent's output, one at a
 * time; a slow listener holds that agent back, like an event listener ({@link
 * AgentHandle#onEvent}), and whatever it throws is logged and does not stop delivery. The listeners
 * are looked up once per read, so a listener may still get the rest of a read's lines after it was
 * removed. An implementation is called from several threads for different agents, so it must be
 * thread-safe if it keeps state across agents.
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
