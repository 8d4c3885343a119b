package dev.descartes.runner.testing.fakemodel;

import java.util.Objects;

/**
 * What the fake model answers to a request whose last message is the user's (a request that carries
 * a tool's result is answered with {@link FakeModelServer#afterToolText()}). Immutable.
 */
public sealed interface Reply {

  /** A plain assistant reply. */
  record Text(String text) implements Reply {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** Replies {@code "echo: " + the last user message}; handy for multi-turn sessions. */
  record Echo() implements Reply {}

  /**
   * A call of the CLI's shell tool (found among the request's tools) running {@code command}; once
   * the CLI sends the tool's result, the model answers {@link FakeModelServer#afterToolText()}.
   */
  record Shell(String command) implements Reply {
    public Shell {
      Objects.requireNonNull(command, "command");
    }
  }

  /** An API error: HTTP {@code status} with the protocol's error body carrying {@code message}. */
  record Error(int status, String message) implements Reply {
    public Error {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * HTTP 429, the provider's rate limit: with a {@code retry-after} header of {@code
   * retryAfterSeconds} and an {@code anthropic-ratelimit-unified-reset} header of {@code
   * resetEpochSeconds} when each is positive.
   */
  record RateLimited(String message, long retryAfterSeconds, long resetEpochSeconds)
      implements Reply {
    public RateLimited {
      Objects.requireNonNull(message, "message");
    }
  }

  /** A 429 without a reset time. */
  static Reply rateLimited(String message) {
    return new RateLimited(message, 0, 0);
  }

  static Reply text(String text) {
    return new Text(text);
  }

  static Reply echo() {
    return new Echo();
  }

  static Reply shell(String command) {
    return new Shell(command);
  }

  /** A 400 error, which no CLI retries. */
  static Reply error(String message) {
    return new Error(400, message);
  }
}
