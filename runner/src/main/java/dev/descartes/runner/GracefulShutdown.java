package dev.descartes.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Stops an agent politely, then firmly: by default SIGTERM to its process group, up to {@code
 * timeout} for it to exit, then SIGKILL to its whole tree. The sequence can be changed, for
 * instance close stdin, SIGINT, 2 s, SIGTERM, 2 s, SIGKILL. Whatever the steps, {@link
 * #shutdown(AgentHandle)} ends with no process of the agent's tree left, including tools that
 * started their own session. Immutable and thread-safe; one instance can stop many agents at once.
 */
public final class GracefulShutdown {

  private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

  /** One step of a stop sequence. */
  public sealed interface Step {
    /** Close the agent's stdin (many CLIs finish their turn and exit on end of file). */
    record CloseStdin() implements Step {}

    /**
     * Send a signal to the agent's process group.
     *
     * @param signal the signal
     */
    record Signal(AgentSignal signal) implements Step {
      /**
       * Checks the signal.
       *
       * @throws NullPointerException if {@code signal} is null
       */
      public Signal {
        Objects.requireNonNull(signal, "signal");
      }
    }

    /**
     * Wait for the agent to exit; the sequence ends as soon as it has.
     *
     * @param timeout the longest wait
     */
    record Await(Duration timeout) implements Step {
      /**
       * Checks the timeout.
       *
       * @throws IllegalArgumentException if {@code timeout} is negative
       */
      public Await {
        if (timeout.isNegative()) {
          throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
      }
    }
  }

  private final List<Step> steps;
  private final String description;

  /**
   * The default sequence: SIGTERM, wait up to {@code timeout}, SIGKILL.
   *
   * @param timeout the longest wait after SIGTERM
   */
  public GracefulShutdown(Duration timeout) {
    this(List.of(new Step.Signal(AgentSignal.TERMINATE), new Step.Await(timeout)));
  }

  private GracefulShutdown(List<Step> steps) {
    this.steps = List.copyOf(steps);
    this.description = describe(this.steps);
  }

  /**
   * The default sequence with a timeout in seconds.
   *
   * @param seconds the longest wait after SIGTERM
   * @return SIGTERM, wait up to {@code seconds}, SIGKILL
   */
  public static GracefulShutdown ofSeconds(long seconds) {
    return new GracefulShutdown(Duration.ofSeconds(seconds));
  }

  /** {@return an empty sequence to fill; SIGKILL always follows the last step} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the steps before the final SIGKILL, in order} */
  public List<Step> steps() {
    return steps;
  }

  /**
   * The stop sequence of {@code backend} for {@code timeout}, as the runners take it: the
   * backend's, or the default ({@link #GracefulShutdown(Duration)}) with a warning logged when the
   * backend's throws or is null, so that a stop always stops.
   *
   * @param backend the agent's backend
   * @param timeout the time the sequence may wait before SIGKILL
   * @return the sequence to run
   */
  public static GracefulShutdown of(AgentBackend backend, Duration timeout) {
    try {
      GracefulShutdown s = backend.stopSequence(timeout);
      if (s != null) {
        return s;
      }
      LOG.warn("the {} backend gave no stop sequence; using the default", backend.name());
    } catch (Throwable e) {
      LOG.warn(
          "the {} backend's stop sequence threw {}; using the default",
          backend.name(),
          e.toString());
    }
    return new GracefulShutdown(timeout);
  }

  /** {@return the sum of the waits: the longest this sequence waits before SIGKILL} */
  public Duration totalWait() {
    return steps.stream()
        .filter(s -> s instanceof Step.Await)
        .map(s -> ((Step.Await) s).timeout())
        .reduce(Duration.ZERO, Duration::plus);
  }

  /**
   * Runs the sequence, then SIGKILL to whatever is left of the tree, and waits for the agent's
   * status to be final. If the calling thread is interrupted, it skips to SIGKILL, still waits for
   * the end, and keeps its interrupt status. A step that fails (a signal that cannot be sent) is
   * logged, and the sequence skips to SIGKILL too.
   *
   * @param handle the agent to stop
   * @return how the agent's main process ended
   */
  public ExitStatus shutdown(AgentHandle handle) {
    return run(handle, System.nanoTime(), true);
  }

  /**
   * Like {@link #shutdown(AgentHandle)}, with every wait counted from {@code start} rather than
   * from the moment this call begins: each wait ends at {@code start} plus the waits before it and
   * its own. Stopping many agents at once, each from its own thread, they then share one deadline
   * however long the signals to the others took. A {@code start} in the future counts as now. The
   * SIGKILL of an agent still running after its waits is logged at DEBUG, not INFO: whoever stops
   * many agents at once reports them together (the runner's {@code shutdown} logs one line).
   *
   * @param handle the agent to stop
   * @param start when the sequence began, an {@link Instant} on the wall clock
   * @return how the agent's main process ended
   */
  public ExitStatus shutdown(AgentHandle handle, Instant start) {
    Objects.requireNonNull(start, "start");
    long since = Duration.between(start, Instant.now()).toNanos();
    return run(handle, System.nanoTime() - Math.max(0, since), false);
  }

  /**
   * Runs the steps of the sequence with every wait counted from {@code start}, as {@link
   * #shutdown(AgentHandle, Instant)} does, but leaves the final SIGKILL to the caller: for one that
   * stops many agents and sends their SIGKILLs together. If the calling thread is interrupted, the
   * steps end early and the thread keeps its interrupt status.
   *
   * @param handle the agent to stop
   * @param start when the sequence began, an {@link Instant} on the wall clock
   * @return how the agent ended, if it did within the steps; empty if it is still running and needs
   *     the SIGKILL ({@link AgentHandle#kill()})
   */
  public Optional<ExitStatus> runSteps(AgentHandle handle, Instant start) {
    Objects.requireNonNull(start, "start");
    long since = Duration.between(start, Instant.now()).toNanos();
    if (runSteps(handle, System.nanoTime() - Math.max(0, since))) {
      return Optional.of(awaitEnd(handle)); // its exit handling swept the tree: a stop was asked
    }
    return Optional.empty();
  }

  private ExitStatus run(AgentHandle handle, long startNanos, boolean reportKill) {
    boolean ended = runSteps(handle, startNanos);
    if (!ended && !handle.status().isTerminal() && (reportKill || LOG.isDebugEnabled())) {
      LOG.atLevel(reportKill ? Level.INFO : Level.DEBUG)
          .log(
              "agent {} ({}): still running after its stop sequence ({}); sending SIGKILL",
              handle.id(),
              handle.config().name(),
              this);
    }
    return finish(handle);
  }

  /** Whether the agent ended within the steps (false also when the thread was interrupted). */
  private boolean runSteps(AgentHandle handle, long startNanos) {
    Objects.requireNonNull(handle, "handle");
    handle.requestStop();
    long waitsEnd = startNanos;
    try {
      for (Step step : steps) {
        if (handle.status().isTerminal()) {
          return true;
        }
        switch (step) {
          case Step.CloseStdin c -> {
            if (!attempt(handle, "closing its stdin", handle::closeStdin)) {
              return false;
            }
          }
          case Step.Signal s -> {
            if (!attempt(handle, "sending " + s.signal(), () -> handle.signal(s.signal()))) {
              return false;
            }
          }
          case Step.Await a -> {
            waitsEnd += a.timeout().toNanos();
            Duration left = Duration.ofNanos(Math.max(0, waitsEnd - System.nanoTime()));
            if (handle.waitFor(left).isPresent()) {
              return true;
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return handle.status().isTerminal();
  }

  /** Whether {@code step} went through: if it threw, the sequence skips to SIGKILL. */
  private static boolean attempt(AgentHandle handle, String what, Runnable step) {
    try {
      step.run();
      return true;
    } catch (Throwable e) {
      LOG.warn(
          "agent {} ({}): {} failed: {}; going on to SIGKILL",
          handle.id(),
          handle.config().name(),
          what,
          e.toString());
      return false;
    }
  }

  private static ExitStatus finish(AgentHandle handle) {
    handle.kill(); // also sweeps the tree after the main process has exited
    return awaitEnd(handle);
  }

  private static ExitStatus awaitEnd(AgentHandle handle) {
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        try {
          return handle.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return description;
  }

  private static String describe(List<Step> steps) {
    List<String> parts = new ArrayList<>();
    for (Step s : steps) {
      parts.add(
          switch (s) {
            case Step.CloseStdin c -> "close stdin";
            case Step.Signal g -> g.signal().name();
            case Step.Await a -> "wait " + a.timeout();
          });
    }
    parts.add("KILL");
    return "GracefulShutdown[" + String.join(", ", parts) + "]";
  }

  /** Builds a stop sequence. Not thread-safe. */
  public static final class Builder {
    private final List<Step> steps = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a step that closes the agent's stdin.
     *
     * @return this builder
     */
    public Builder closeStdin() {
      steps.add(new Step.CloseStdin());
      return this;
    }

    /**
     * Adds a step that sends {@code signal} to the agent's process group.
     *
     * @param signal the signal
     * @return this builder
     */
    public Builder signal(AgentSignal signal) {
      steps.add(new Step.Signal(signal));
      return this;
    }

    /**
     * Adds a step that waits for the agent to exit.
     *
     * @param timeout the longest wait, zero or more
     * @return this builder
     */
    public Builder await(Duration timeout) {
      steps.add(new Step.Await(timeout));
      return this;
    }

    /** {@return the sequence: these steps, then SIGKILL} */
    public GracefulShutdown build() {
      return new GracefulShutdown(steps);
    }
  }
}
