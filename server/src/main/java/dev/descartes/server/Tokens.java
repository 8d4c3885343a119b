package dev.descartes.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The daemon's bearer token: 32 random bytes in hex, created on first start in {@code
 * DATA_DIR/token} with mode 0600, read by the clients; and the CSRF token the dashboard sends on
 * state-changing requests, derived from it.
 *
 * <p>Immutable; thread-safe.
 */
public final class Tokens {

  /** The token file's name in the data dir. */
  public static final String FILE = "token";

  private final String token;
  private final String csrf;

  private Tokens(String token) {
    this.token = token;
    this.csrf = hmac(token, "descartes-csrf");
  }

  /** The token in {@code dataDir}, created (0600) if absent. */
  static Tokens loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(
            file, HexFormat.of().formatHex(b) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
      } catch (FileAlreadyExistsException e) {
        // another daemon created it meanwhile: use it
      }
    }
    return new Tokens(read(dataDir));
  }

  /**
   * The token a client uses: the content of {@code dataDir/token}.
   *
   * @throws IOException when it cannot be read (no daemon ever started with that data dir)
   */
  public static String read(Path dataDir) throws IOException {
    String t = Files.readString(dataDir.resolve(FILE), StandardCharsets.US_ASCII).strip();
    if (t.isEmpty()) {
      throw new IOException(dataDir.resolve(FILE) + " is empty");
    }
    return t;
  }

  String token() {
    return token;
  }

  String csrf() {
    return csrf;
  }

  boolean matches(String candidate) {
    return candidate != null
        && MessageDigest.isEqual(
            candidate.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  boolean csrfMatches(String candidate) {
    return candidate != null
        && MessageDigest.isEqual(
            candidate.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8));
  }

  private static String hmac(String key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
