package dev.descartes.runner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A container image the tests build on this machine, with no registry: a root filesystem of empty
 * directories, the merged-{@code /usr} symlinks ({@code /bin -> usr/bin}, ...) and an {@code
 * /etc/passwd}, imported with {@code podman import}. Agents get the host's {@code /usr}
 * bind-mounted read-only (the tests add that mount), so the host's shell, coreutils and node run
 * inside. One image per JVM, tagged with its pid so concurrent test runs do not share it; {@link
 * #remove()} deletes it. Thread-safe.
 */
public final class TestImages {

  private static final String NO_PODMAN =
      "no usable podman here; install podman and runc (.ci/run does)";
  private static String image;

  private TestImages() {}

  /** The image's name, building it on first use; skips the test when containers cannot run here. */
  public static synchronized String hostUsrImage() {
    if (image == null) {
      Assumptions.assumeTrue(podmanUsable(), NO_PODMAN);
    }
    return build();
  }

  /**
   * The image's name, building it on first use, for a program that is not a test (JUnit need not be
   * on its class path).
   *
   * @throws IllegalStateException when containers cannot run here
   */
  public static synchronized String hostUsrImageOutsideTests() {
    if (image == null && !podmanUsable()) {
      throw new IllegalStateException(NO_PODMAN);
    }
    return build();
  }

  private static boolean podmanUsable() {
    try {
      run(List.of("podman", "info", "--format", "{{.Host.OCIRuntime.Name}}"));
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static String build() {
    if (image != null) {
      return image;
    }
    String name = "localhost/descartes-test-" + ProcessHandle.current().pid() + ":host-usr";
    Path root = null;
    try {
      root = Files.createTempDirectory("descartes-rootfs");
      for (String d :
          List.of("etc", "tmp", "proc", "sys", "dev", "usr", "root", "run", "var/tmp", "home")) {
        Files.createDirectories(root.resolve(d));
      }
      for (String l : List.of("bin", "lib", "lib64", "sbin")) {
        Files.createSymbolicLink(root.resolve(l), Path.of("usr", l));
      }
      Files.writeString(
          root.resolve("etc/passwd"),
          "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n");
      Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
      Path tar = root.resolveSibling(root.getFileName() + ".tar");
      run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."));
      try {
        run(List.of("podman", "import", tar.toString(), name));
      } finally {
        Files.deleteIfExists(tar);
      }
      image = name;
      return image;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      if (root != null) {
        run(List.of("rm", "-rf", root.toString()));
      }
    }
  }

  /** Deletes the image if this JVM built one. */
  public static synchronized void remove() {
    if (image != null) {
      run(List.of("podman", "rmi", "-f", image));
      image = null;
    }
  }

  /** The names of the containers labelled with this agent id, running or not. */
  public static List<String> containersOf(String agentId) {
    String out =
        run(
            List.of(
                "podman",
                "ps",
                "-a",
                "--filter",
                "label=dev.descartes.agent-id=" + agentId,
                "--format",
                "{{.Names}}"));
    List<String> names = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (!l.isBlank()) {
        names.add(l.strip());
      }
    }
    return names;
  }

  /** Runs a command to its end; its output, or an exception with it. */
  public static String run(List<String> argv) {
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(argv + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
