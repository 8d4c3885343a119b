package dev.descartes.runner.internal.restart;

import dev.descartes.runner.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The delay before restart number {@code n} (0 for the first) under a {@link RestartPolicy}: the
 * initial backoff doubled {@code n} times, capped at the maximum, then up to {@code jitter} of it
 * taken off at random (so restarts of many agents spread out instead of landing together). A rate
 * limit with a known reset time replaces the backoff by the time left until it, capped. Pure
 * arithmetic; thread-safe.
 */
public final class Backoff {

  private final RestartPolicy policy;

  public Backoff(RestartPolicy policy) {
    this.policy = policy;
  }

  /**
   * The delay before restart {@code attempt}.
   *
   * @param random a number in [0, 1): the share of the jitter taken off
   */
  public Duration delay(int attempt, double random) {
    long initial = policy.initialBackoff().toMillis();
    long max = policy.maxBackoff().toMillis();
    long base = initial;
    for (int i = 0; i < attempt && base < max; i++) {
      base = base > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : base * 2;
    }
    base = Math.min(base, max);
    long off = (long) (base * policy.jitter() * Math.min(Math.max(random, 0), 1));
    return Duration.ofMillis(Math.max(0, base - off));
  }

  /**
   * The delay after a run that hit a rate limit: until {@code resetAt} (capped at the policy's
   * longest rate-limit wait) when the CLI said when the limit resets, else {@link #delay}.
   */
  public Duration afterRateLimit(
      int attempt, double random, Optional<Instant> resetAt, Instant now) {
    if (resetAt.isEmpty()) {
      return delay(attempt, random);
    }
    Duration left = Duration.between(now, resetAt.get());
    if (left.isNegative()) {
      return Duration.ZERO;
    }
    return left.compareTo(policy.maxRateLimitWait()) > 0 ? policy.maxRateLimitWait() : left;
  }

  /** Whether a run that lasted {@code ran} resets the restart count. */
  public boolean healthy(Duration ran) {
    return !policy.resetAfter().isZero() && ran.compareTo(policy.resetAfter()) >= 0;
  }
}
