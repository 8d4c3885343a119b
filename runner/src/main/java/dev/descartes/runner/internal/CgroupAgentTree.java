package dev.descartes.runner.internal;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.internal.cgroup.AgentCgroup;
import java.time.Duration;
import java.util.List;

/**
 * An agent's tree as its cgroups hold it: every process the agent started, however it tried to
 * leave (see {@link AgentCgroup}). Signals go to members one by one through pidfds; the kill is the
 * whole group's. Thread-safe.
 *
 * @param group the agent's cgroups
 * @param leaderPid the agent's main process
 * @param wrapped whether the leader is a sandbox around the agent (bubblewrap)
 */
record CgroupAgentTree(AgentCgroup group, int leaderPid, boolean wrapped) implements AgentTree {

  @Override
  public void leaderExited() {
    // membership does not depend on the leader: nothing to note
  }

  @Override
  public void signal(AgentSignal signal) {
    switch (signal) {
      case INTERRUPT, TERMINATE -> group.signalGroup(leaderPid, signal.number(), wrapped);
      case PAUSE, RESUME -> group.signal(signal.number(), pid -> true);
      case KILL -> group.kill(LocalAgent.REAP_TIMEOUT, leaderPid);
    }
  }

  /**
   * @throws dev.descartes.runner.AgentException.KillFailed if processes are still in the group when
   *     {@code reapTimeout} has passed (one the agent froze in a group of its own, one the runner
   *     may not signal)
   */
  @Override
  public int killAll(Duration reapTimeout) {
    AgentCgroup.Killed killed = group.kill(reapTimeout, leaderPid);
    List<Integer> left = killed.left();
    if (!left.isEmpty()) {
      throw new AgentException.KillFailed(
          left.size()
              + " process(es) of its cgroup "
              + group.path()
              + " are still there "
              + reapTimeout.toSeconds()
              + " s after SIGKILL (pids "
              + left
              + ")");
    }
    return killed.count();
  }
}
