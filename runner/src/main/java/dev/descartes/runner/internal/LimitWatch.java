package dev.descartes.runner.internal;

import dev.descartes.runner.AgentOutcome.ErrorKind;
import dev.descartes.runner.ResourceLimits;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Enforces the limits the runner itself watches, for every agent of a runner on one timer thread:
 * the runtime limit (one timer per agent, at its deadline) and the output limit (the byte counts of
 * the agents that have one, read every 100 ms). Past a limit the agent is stopped with its
 * backend's stop sequence, on a background thread. Thread-safe.
 */
final class LimitWatch implements AutoCloseable {

  private static final long OUTPUT_POLL_MILLIS = 100;

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r ->
              Thread.ofPlatform()
                  .name("descartes-limits")
                  .daemon(true)
                  .stackSize(256 * 1024)
                  .unstarted(r));
  private final Set<LocalAgent> outputLimited = ConcurrentHashMap.newKeySet();
  private volatile ScheduledFuture<?> outputPoll;

  /** Starts watching {@code agent}, which has just started; it is forgotten when it ends. */
  void watch(LocalAgent agent, ResourceLimits limits) {
    limits
        .runtime()
        .ifPresent(
            r -> {
              ScheduledFuture<?> f =
                  timer.schedule(
                      () ->
                          agent.limitReached(
                              ErrorKind.RUNTIME_LIMIT,
                              "runtime limit of " + format(r) + " reached"),
                      r.toNanos(),
                      TimeUnit.NANOSECONDS);
              agent.onExit().whenComplete((x, e) -> f.cancel(false));
            });
    if (limits.outputBytesPerStream().isPresent()) {
      outputLimited.add(agent);
      agent.onExit().whenComplete((x, e) -> outputLimited.remove(agent));
      synchronized (this) {
        if (outputPoll == null) {
          outputPoll =
              timer.scheduleWithFixedDelay(
                  this::checkOutput, OUTPUT_POLL_MILLIS, OUTPUT_POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private void checkOutput() {
    for (LocalAgent a : outputLimited) {
      long limit = a.limits().outputBytesPerStream().orElse(Long.MAX_VALUE);
      long out = a.stdoutBytes();
      long err = a.stderrBytes();
      if (out > limit || err > limit) {
        outputLimited.remove(a);
        a.limitReached(
            ErrorKind.OUTPUT_LIMIT,
            "output limit of "
                + ResourceLimits.formatSize(limit)
                + " reached: wrote "
                + ResourceLimits.formatSize(Math.max(out, err))
                + " to "
                + (out > limit ? "stdout" : "stderr"));
      }
    }
  }

  static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
