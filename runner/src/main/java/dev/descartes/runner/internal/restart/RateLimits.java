package dev.descartes.runner.internal.restart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.AgentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a CLI's failed turn was the model provider's rate limit or usage limit, and when the
 * limit resets if the CLI said so. Claude reports {@code api_error_status: 429} / {@code
 * api_error_type: rate_limit_error} and, for subscription limits, {@code "... usage limit
 * reached|<epoch seconds>"}; other CLIs say "rate limit", "429", "quota" or "too many requests" in
 * their message, sometimes with "retry after N seconds". Pure functions; thread-safe.
 */
public final class RateLimits {

  /** A rate limit, and its reset time when known. */
  public record Limit(String message, Optional<Instant> resetAt) {}

  private static final Pattern MENTION =
      Pattern.compile(
          "rate.?limit|usage limit|\\b429\\b|too many requests|quota|resource.?exhausted",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern EPOCH = Pattern.compile("\\|\\s*(\\d{10})\\b");
  private static final Pattern RESET_EPOCH =
      Pattern.compile("reset\\w*\\D{0,20}(\\d{10})\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern RETRY_AFTER =
      Pattern.compile(
          "(?:retry|try again)\\D{0,20}?(\\d+(?:\\.\\d+)?)\\s*(ms|milliseconds?|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\\b",
          Pattern.CASE_INSENSITIVE);

  private RateLimits() {}

  /** The limit a failed result reports, if it is one. */
  public static Optional<Limit> of(AgentEvent.Result result, Instant now) {
    if (result.success()) {
      return Optional.empty();
    }
    String text = result.errorMessage().orElse("") + " " + result.text();
    JsonNode raw = result.raw();
    boolean status =
        raw.path("api_error_status").asInt(0) == 429
            || raw.path("api_error_type").asText("").equals("rate_limit_error");
    if (!status && !MENTION.matcher(text).find()) {
      return Optional.empty();
    }
    return Optional.of(new Limit(text.strip(), resetAt(text, now)));
  }

  /**
   * The reset time a message gives: an epoch after {@code |} or "reset", or "retry after N units".
   */
  public static Optional<Instant> resetAt(String text, Instant now) {
    for (Pattern p : new Pattern[] {EPOCH, RESET_EPOCH}) {
      Matcher m = p.matcher(text);
      if (m.find()) {
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1))));
      }
    }
    Matcher m = RETRY_AFTER.matcher(text);
    if (m.find()) {
      double n = Double.parseDouble(m.group(1));
      String unit = m.group(2).toLowerCase(Locale.ROOT);
      long millis =
          (long)
              (n
                  * (unit.startsWith("ms") || unit.startsWith("milli")
                      ? 1
                      : unit.startsWith("h") ? 3_600_000 : unit.startsWith("m") ? 60_000 : 1000));
      return Optional.of(now.plus(Duration.ofMillis(millis)));
    }
    return Optional.empty();
  }
}
