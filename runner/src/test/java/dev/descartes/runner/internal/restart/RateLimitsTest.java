package dev.descartes.runner.internal.restart;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Reset times as the CLIs write them in their rate-limit messages. */
class RateLimitsTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void readsAnEpochAfterABarOrAResetWordAndARetryAfterDelay() {
    assertThat(RateLimits.resetAt("Claude AI usage limit reached|1767225900", NOW))
        .contains(Instant.ofEpochSecond(1767225900));
    assertThat(RateLimits.resetAt("limit resets at 1767225900", NOW))
        .contains(Instant.ofEpochSecond(1767225900));
    assertThat(RateLimits.resetAt("Too many requests, retry after 30 seconds", NOW))
        .contains(NOW.plusSeconds(30));
    assertThat(RateLimits.resetAt("quota exceeded; please try again in 2m", NOW))
        .contains(NOW.plusSeconds(120));
    assertThat(RateLimits.resetAt("API Error: Request rejected (429) · slow down", NOW)).isEmpty();
  }
}
