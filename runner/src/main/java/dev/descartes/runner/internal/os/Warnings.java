package dev.descartes.runner.internal.os;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Warnings a user must see even when the application has no SLF4J provider: SLF4J then drops every
 * log line, so the warning goes to stderr instead, once per call (callers warn once per JVM).
 * Thread-safe.
 */
public final class Warnings {

  private Warnings() {}

  /** Logs {@code message} as a warning, or prints it on stderr when no SLF4J provider is bound. */
  public static void warn(Logger log, String message) {
    if (LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory) {
      System.err.println("WARNING: " + message);
    } else {
      log.warn(message);
    }
  }
}
