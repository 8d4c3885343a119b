package dev.descartes.runner.internal;

import dev.descartes.runner.AgentHandle;

/** Lets the public {@code GracefulShutdown} mark an agent as being stopped on purpose. */
public final class StopControl {

  private StopControl() {}

  /** From now on the agent's end counts as {@code TERMINATED}, whatever its exit code. */
  public static void markStopping(AgentHandle handle) {
    if (handle instanceof LocalAgent agent) {
      agent.requestStop();
    }
  }
}
