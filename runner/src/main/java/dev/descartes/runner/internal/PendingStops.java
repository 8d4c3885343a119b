package dev.descartes.runner.internal;

import dev.descartes.runner.AgentSignal;
import java.util.function.Consumer;

/**
 * Stop requests (a kill, a signal) that arrive while an agent is STARTING, before its process
 * exists: recorded here and carried out once it does. Either the caller sees the process (and acts
 * itself) or {@link #ready} sees the request; both may happen, and a second kill or signal does no
 * harm. Thread-safe.
 */
final class PendingStops {

  private volatile boolean kill;
  private volatile AgentSignal signal;
  private volatile boolean ready;

  /** Records a kill; returns whether the process exists, so the caller kills it now. */
  boolean kill() {
    kill = true;
    return ready;
  }

  /**
   * Records {@code s} unless the process exists; returns whether it exists, so the caller sends the
   * signal now.
   */
  boolean signal(AgentSignal s) {
    if (!ready) {
      signal = s;
      return ready;
    }
    return true;
  }

  /**
   * The process exists (child and tree in place): from now on requests are carried out at once, and
   * the one that came before, if any, is carried out by {@code kill} or {@code signal} now.
   */
  void ready(Runnable kill, Consumer<AgentSignal> signal) {
    ready = true;
    if (this.kill) {
      kill.run();
    } else {
      AgentSignal s = this.signal;
      if (s != null) {
        signal.accept(s);
      }
    }
  }
}
