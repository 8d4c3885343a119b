package dev.descartes.runner.internal;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSignal;
import java.time.Duration;
import java.util.Optional;

/**
 * An agent's tree as the JDK shows it ({@link ProcessHandle}): the leader and its descendants,
 * which misses tools that left it; only TERMINATE and KILL can be sent. Used where {@code /proc} is
 * missing, or the leader was gone before it could be read. Thread-safe.
 */
record PortableAgentTree(long leaderPid) implements AgentTree {

  @Override
  public void leaderExited() {
    // nothing recorded: the JDK's view follows the live processes only
  }

  @Override
  public void signal(AgentSignal signal) {
    Optional<ProcessHandle> leader = ProcessHandle.of(leaderPid);
    switch (signal) {
      case TERMINATE ->
          leader.ifPresent(
              h -> {
                h.descendants().forEach(ProcessHandle::destroy);
                h.destroy();
              });
      case KILL -> killAll(Duration.ZERO);
      default -> throw unsupported(signal);
    }
  }

  @Override
  public int killAll(Duration reapTimeout) {
    ProcessHandle.of(leaderPid)
        .ifPresent(
            h -> {
              h.descendants().forEach(ProcessHandle::destroyForcibly);
              h.destroyForcibly();
            });
    return 0;
  }

  static AgentException.Execution unsupported(AgentSignal signal) {
    return new AgentException.Execution(
        signal
            + " is unsupported on this platform ("
            + System.getProperty("os.name")
            + "); only TERMINATE and KILL are available here");
  }
}
