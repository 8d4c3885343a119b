package dev.descartes.runner.internal;

import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.ProcessTree;
import java.time.Duration;

/**
 * The processes of one agent, to signal and to kill as a whole. {@link CgroupAgentTree} is the
 * agent's cgroups (where the machine has writable ones); {@link LinuxAgentTree} finds every member
 * through {@code /proc} (tools that started their own session included); {@link PortableAgentTree},
 * off Linux, knows only the JDK's view of the leader and its descendants. Implementations are
 * thread-safe.
 */
sealed interface AgentTree permits CgroupAgentTree, LinuxAgentTree, PortableAgentTree {

  /**
   * The tree of a freshly started leader whose environment carries the agent's cookie: on Linux the
   * {@code /proc} one (also when the leader is already gone: its tools may not be), elsewhere the
   * portable one.
   *
   * @param spawnTicks the clock-tick uptime read just before the spawn
   * @param wrapped whether the leader is a sandbox around the agent (see {@link ProcessTree})
   */
  static AgentTree of(long leaderPid, long spawnTicks, String agentId, boolean wrapped) {
    if (Platform.isLinux()) {
      return new LinuxAgentTree(
          ProcessTree.of(leaderPid, ChildEnvironment.COOKIE, agentId, wrapped)
              .orElseGet(
                  () ->
                      ProcessTree.departed(
                          leaderPid, spawnTicks, ChildEnvironment.COOKIE, agentId, wrapped)));
    }
    return new PortableAgentTree(leaderPid);
  }

  /** The leader has exited; later processes of its group count only through ancestry. */
  void leaderExited();

  /**
   * Sends {@code signal} (not {@link AgentSignal#KILL}: see {@link #killAll}): INTERRUPT and
   * TERMINATE to the leader's process group, PAUSE and RESUME to every member.
   *
   * @throws dev.descartes.runner.AgentException.Execution if this tree cannot send it here
   */
  void signal(AgentSignal signal);

  /**
   * SIGKILL to every member, then waits up to {@code reapTimeout} for them to be gone.
   *
   * @return how many processes were killed, where known
   */
  int killAll(Duration reapTimeout);
}
