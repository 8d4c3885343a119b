package dev.descartes.runner;

/**
 * The signals the runner sends to an agent's process group.
 *
 * <p>{@link #INTERRUPT}, {@link #TERMINATE} and {@link #KILL} count as a request to stop: the agent
 * then ends {@link AgentStatus#TERMINATED}. {@link #PAUSE} and {@link #RESUME} stop and continue
 * the whole process tree. On platforms without POSIX signals (Windows) only TERMINATE and KILL are
 * available; the others raise {@link AgentException.Execution}. Immutable and thread-safe.
 */
public enum AgentSignal {
  /** SIGINT, what Ctrl+C sends; the way to cancel Claude Code cleanly. */
  INTERRUPT(2),
  /** SIGTERM, a polite request to exit. */
  TERMINATE(15),
  /** SIGKILL, sent to every process of the agent's tree. */
  KILL(9),
  /** SIGSTOP, sent to every process of the agent's tree. */
  PAUSE(19),
  /** SIGCONT, sent to every process of the agent's tree. */
  RESUME(18);

  private final int number;

  AgentSignal(int number) {
    this.number = number;
  }

  /** {@return the Linux signal number} */
  public int number() {
    return number;
  }

  /** {@return whether sending this signal asks the agent to end} */
  public boolean requestsStop() {
    return this == INTERRUPT || this == TERMINATE || this == KILL;
  }
}
