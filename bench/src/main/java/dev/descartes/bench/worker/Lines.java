package dev.descartes.bench.worker;

import java.nio.charset.StandardCharsets;

/**
 * The line the round-trip workload sends through {@code cat}: 199 bytes and a newline, as every
 * peer sends.
 */
final class Lines {

  private Lines() {}

  static byte[] probe() {
    return ("x".repeat(199) + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}
