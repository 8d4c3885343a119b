package dev.descartes.runner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Writes small executable shell scripts for tests to run as agents. */
public final class Scripts {

  private Scripts() {}

  /** An executable {@code /bin/sh} script in {@code dir} with {@code body}. */
  public static Path sh(Path dir, String name, String body) {
    try {
      Path p = dir.resolve(name);
      Files.writeString(p, "#!/bin/sh\n" + body + "\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** argv for {@code sh -c script}. */
  public static List<String> shell(String script) {
    return List.of("/bin/sh", "-c", script);
  }
}
