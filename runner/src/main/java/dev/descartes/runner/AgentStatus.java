package dev.descartes.runner;

/**
 * Where an agent is in its life.
 *
 * <p>{@code STARTING -> RUNNING <-> PAUSED -> STOPPING [<-> KILL_FAILED] -> (COMPLETED | FAILED |
 * TERMINATED)}. A terminal status is final: an agent reaches exactly one, however many threads race
 * to kill, signal and wait. Immutable and thread-safe.
 */
public enum AgentStatus {
  /** The process is being created. */
  STARTING,
  /** The process is alive. */
  RUNNING,
  /** The agent's process tree was stopped with {@link AgentSignal#PAUSE}. */
  PAUSED,
  /**
   * A stop was requested (kill, shutdown, or an INTERRUPT/TERMINATE/KILL signal); not yet exited.
   */
  STOPPING,
  /**
   * A kill could not be carried out ({@link AgentException.KillFailed}): the process may still be
   * alive. A later kill that works, or the agent's own exit, moves it on to a terminal status.
   */
  KILL_FAILED,
  /** Exited with code 0 on its own. */
  COMPLETED,
  /** Exited with a non-zero code, or died of a signal nobody asked for. */
  FAILED,
  /** Ended after the runner was asked to stop it. */
  TERMINATED;

  /**
   * The final status of an agent that ended with {@code exit}: {@link #TERMINATED} when the runner
   * was asked to stop it, else {@link #COMPLETED} for exit code 0 and {@link #FAILED} otherwise.
   *
   * @param exit how the agent's process ended
   * @param stopRequested whether the runner was asked to stop the agent
   * @return the agent's final status
   */
  public static AgentStatus afterExit(ExitStatus exit, boolean stopRequested) {
    if (stopRequested) {
      return TERMINATED;
    }
    return exit.success() ? COMPLETED : FAILED;
  }

  /** {@return whether this status is final} */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == TERMINATED;
  }

  /** {@return whether the process may still be alive (not yet terminal)} */
  public boolean isLive() {
    return !isTerminal();
  }
}
