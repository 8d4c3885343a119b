package dev.descartes.runner.internal;

import dev.descartes.runner.AgentException;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The concurrency cap: a slot per live agent, taken before spawn and given back the moment the
 * agent's status is final. Without a cap every call succeeds. Thread-safe; waiters are served in
 * arrival order.
 */
final class AgentSlots {

  private final OptionalInt cap;
  private final Semaphore permits;

  AgentSlots(OptionalInt cap) {
    this.cap = cap;
    this.permits = cap.isPresent() ? new Semaphore(cap.getAsInt(), true) : null;
  }

  /** Takes a slot now or fails with {@link AgentException.LimitReached}. */
  void acquireNow() {
    if (permits != null && !permits.tryAcquire()) {
      throw new AgentException.LimitReached(
          cap.getAsInt(),
          "the runner's cap of "
              + cap.getAsInt()
              + " concurrent agents is reached (finished agents do not count); "
              + "raise ProcessRunnerConfig.maxConcurrentAgents, wait for an agent to finish, or call "
              + "spawn(config, waitForSlot) to wait for a free slot");
    }
  }

  /** Takes a slot, waiting up to {@code timeout}. */
  void acquire(Duration timeout) throws InterruptedException {
    if (permits != null
        && !permits.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
      throw new AgentException.LimitReached(
          cap.getAsInt(),
          "no slot freed up within "
              + timeout
              + " under the runner's cap of "
              + cap.getAsInt()
              + " concurrent agents; raise "
              + "ProcessRunnerConfig.maxConcurrentAgents or wait longer");
    }
  }

  void release() {
    if (permits != null) {
      permits.release();
    }
  }
}
