package dev.descartes.runner.internal;

import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.internal.os.ProcessTree;
import java.time.Duration;

/** An agent's tree as {@code /proc} shows it: see {@link ProcessTree}. Thread-safe. */
record LinuxAgentTree(ProcessTree tree) implements AgentTree {

  @Override
  public void leaderExited() {
    tree.leaderExited();
  }

  @Override
  public void signal(AgentSignal signal) {
    switch (signal) {
      case INTERRUPT, TERMINATE -> tree.signalGroup(signal.number());
      case PAUSE, RESUME -> tree.signalAll(signal.number());
      case KILL -> tree.killAll(LocalAgent.REAP_TIMEOUT);
    }
  }

  @Override
  public int killAll(Duration reapTimeout) {
    return tree.killAll(reapTimeout);
  }
}
