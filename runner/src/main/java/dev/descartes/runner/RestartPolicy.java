package dev.descartes.runner;

import java.time.Duration;
import java.util.Objects;

/**
 * When and how a {@link SupervisedAgent} starts its agent again after the agent's process ended:
 * {@link Mode#NEVER}, {@link Mode#ON_FAILURE} or {@link Mode#ALWAYS}, at most {@link
 * #maxRestarts()} times in a row, each after an exponential backoff with jitter ({@link
 * #initialBackoff()} doubling up to {@link #maxBackoff()}, then a random part of {@link #jitter()}
 * taken off). A run that stays healthy for {@link #resetAfter()} resets the count and the backoff.
 * Once the restarts are used up the agent is marked failed with the reason (a crash loop).
 *
 * <p>For the CLI backends, {@link #resume()} starts the next run with the previous run's session id
 * ({@code --resume}), so the conversation goes on. A run that ended on the model's rate limit or
 * usage limit (HTTP 429, "usage limit reached") waits until the limit's reset time when the CLI
 * reported one, else backs off as after any failure; {@link #maxRateLimitWait()} caps that wait.
 * Immutable and thread-safe.
 *
 * @param mode when to restart
 * @param maxRestarts the most restarts in a row (a healthy period resets the count)
 * @param initialBackoff the delay before the first restart
 * @param maxBackoff the longest delay between two restarts
 * @param jitter the share of each delay that is random, from 0 (none) to 1 (anywhere between 0 and
 *     the delay)
 * @param resetAfter a run that lasted this long counts as healthy: the next restart is a first one
 * @param resume continue the previous run's CLI session ({@link AgentConfig#resumeSession()})
 * @param maxRateLimitWait the longest wait for a rate limit's reset time
 */
public record RestartPolicy(
    Mode mode,
    int maxRestarts,
    Duration initialBackoff,
    Duration maxBackoff,
    double jitter,
    Duration resetAfter,
    boolean resume,
    Duration maxRateLimitWait) {

  /** When an agent is started again. */
  public enum Mode {
    /** Never: the agent's first run is its only one. */
    NEVER,
    /**
     * After a failure: a non-zero exit, a signal nobody sent, or a failed outcome from the CLI (a
     * stop someone asked for is not a failure).
     */
    ON_FAILURE,
    /** After every end, success included, except a stop someone asked for. */
    ALWAYS
  }

  /** No restarts. */
  public static final RestartPolicy NEVER = builder().mode(Mode.NEVER).build();

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if a field is null
   * @throws AgentException.InvalidConfig naming the field that is out of range
   */
  public RestartPolicy {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(resetAfter, "resetAfter");
    Objects.requireNonNull(maxRateLimitWait, "maxRateLimitWait");
    if (maxRestarts < 0) {
      throw new AgentException.InvalidConfig(
          "maxRestarts", "is " + maxRestarts + "; give 0 or more");
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new AgentException.InvalidConfig(
          "initialBackoff", "is " + initialBackoff + "; give a positive duration such as 1s");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new AgentException.InvalidConfig(
          "maxBackoff",
          "is "
              + maxBackoff
              + ", shorter than initialBackoff "
              + initialBackoff
              + "; make it at least as long");
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new AgentException.InvalidConfig(
          "jitter", "is " + jitter + "; give a share from 0 to 1, such as 0.2");
    }
    if (resetAfter.isNegative() || maxRateLimitWait.isNegative()) {
      throw new AgentException.InvalidConfig(
          resetAfter.isNegative() ? "resetAfter" : "maxRateLimitWait",
          "is negative; give a duration of zero or more");
    }
  }

  /**
   * Whether a run that ended this way is followed by another (restarts left aside).
   *
   * @param failed whether the run failed (see {@link Mode#ON_FAILURE})
   * @return whether this policy's mode restarts after such a run
   */
  public boolean restartsAfter(boolean failed) {
    return switch (mode) {
      case NEVER -> false;
      case ON_FAILURE -> failed;
      case ALWAYS -> true;
    };
  }

  /**
   * {@return a builder with the defaults: {@link Mode#ON_FAILURE}, 5 restarts, backoff from 1 s to
   * 60 s with 20% jitter, reset after 5 minutes of healthy running, resume on, rate-limit waits up
   * to 1 hour}
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RestartPolicy}. Not thread-safe. */
  public static final class Builder {
    private Mode mode = Mode.ON_FAILURE;
    private int maxRestarts = 5;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(60);
    private double jitter = 0.2;
    private Duration resetAfter = Duration.ofMinutes(5);
    private boolean resume = true;
    private Duration maxRateLimitWait = Duration.ofHours(1);

    private Builder() {}

    /**
     * Sets when to restart.
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /**
     * Sets the most restarts in a row.
     *
     * @param maxRestarts 0 or more
     * @return this builder
     */
    public Builder maxRestarts(int maxRestarts) {
      this.maxRestarts = maxRestarts;
      return this;
    }

    /**
     * Sets the delays between runs.
     *
     * @param initial the delay before the first restart, above zero
     * @param max the longest delay, at least {@code initial}
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Sets the share of each delay that is random.
     *
     * @param jitter 0 (none) to 1
     * @return this builder
     */
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets how long a run must last to count as healthy and reset the count and the backoff.
     *
     * @param resetAfter zero or more
     * @return this builder
     */
    public Builder resetAfter(Duration resetAfter) {
      this.resetAfter = resetAfter;
      return this;
    }

    /**
     * Sets whether the next run continues the previous run's CLI session.
     *
     * @param resume whether to resume
     * @return this builder
     */
    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /**
     * Sets the longest wait for a rate limit's reset time.
     *
     * @param maxRateLimitWait zero or more
     * @return this builder
     */
    public Builder maxRateLimitWait(Duration maxRateLimitWait) {
      this.maxRateLimitWait = maxRateLimitWait;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws AgentException.InvalidConfig naming the field that is out of range
     */
    public RestartPolicy build() {
      return new RestartPolicy(
          mode,
          maxRestarts,
          initialBackoff,
          maxBackoff,
          jitter,
          resetAfter,
          resume,
          maxRateLimitWait);
    }
  }
}
