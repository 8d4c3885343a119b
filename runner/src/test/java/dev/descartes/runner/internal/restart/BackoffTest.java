package dev.descartes.runner.internal.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The restart delay arithmetic: doubling, the cap, jitter, rate-limit resets, and the healthy
 * reset.
 */
class BackoffTest {

  private final RestartPolicy policy =
      RestartPolicy.builder()
          .backoff(Duration.ofMillis(500), Duration.ofSeconds(10))
          .jitter(0.5)
          .resetAfter(Duration.ofMinutes(1))
          .build();
  private final Backoff backoff = new Backoff(policy);

  @Test
  void withoutJitterTheDelayDoublesFromTheInitialOneUpToTheCap() {
    assertThat(backoff.delay(0, 0)).isEqualTo(Duration.ofMillis(500));
    assertThat(backoff.delay(1, 0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(2, 0)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.delay(4, 0)).isEqualTo(Duration.ofSeconds(8));
    assertThat(backoff.delay(5, 0)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.delay(1000, 0)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void jitterTakesOffAtMostItsShareOfTheDelay() {
    assertThat(backoff.delay(2, 0.999999)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(backoff.delay(2, 0.5)).isEqualTo(Duration.ofMillis(1500));
    assertThat(backoff.delay(30, 1)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aRateLimitWaitsUntilItsResetTimeCappedOrBacksOffWithoutOne() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(backoff.afterRateLimit(0, 0, Optional.of(now.plusSeconds(42)), now))
        .isEqualTo(Duration.ofSeconds(42));
    assertThat(backoff.afterRateLimit(0, 0, Optional.of(now.minusSeconds(5)), now)).isZero();
    assertThat(backoff.afterRateLimit(0, 0, Optional.of(now.plus(Duration.ofDays(2))), now))
        .isEqualTo(policy.maxRateLimitWait());
    assertThat(backoff.afterRateLimit(3, 0, Optional.empty(), now))
        .isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void aRunAsLongAsResetAfterCountsAsHealthy() {
    assertThat(backoff.healthy(Duration.ofSeconds(59))).isFalse();
    assertThat(backoff.healthy(Duration.ofMinutes(1))).isTrue();
  }

  @Test
  void policiesOutOfRangeNameTheirField() {
    assertThatThrownBy(() -> RestartPolicy.builder().maxRestarts(-1).build())
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageStartingWith("maxRestarts:");
    assertThatThrownBy(
            () ->
                RestartPolicy.builder()
                    .backoff(Duration.ofSeconds(5), Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageStartingWith("maxBackoff:");
    assertThatThrownBy(() -> RestartPolicy.builder().jitter(1.5).build())
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageStartingWith("jitter:");
  }

  @Test
  void modesSayWhichEndsAreFollowedByARestart() {
    assertThat(RestartPolicy.NEVER.restartsAfter(true)).isFalse();
    RestartPolicy onFailure = RestartPolicy.builder().mode(RestartPolicy.Mode.ON_FAILURE).build();
    assertThat(onFailure.restartsAfter(true)).isTrue();
    assertThat(onFailure.restartsAfter(false)).isFalse();
    assertThat(RestartPolicy.builder().mode(RestartPolicy.Mode.ALWAYS).build().restartsAfter(false))
        .isTrue();
  }
}
