package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Starts the real {@code descartes} command, {@code java -jar cli/target/descartes.jar}, as its own
 * process, with stdout and stderr going to files that tests read while it runs.
 */
final class Cli {

  /** Generous: the machine may be busy; a test that needs it all has hung. */
  static final Duration PATIENCE = Duration.ofMinutes(2);

  private Cli() {}

  static Path jar() {
    return Path.of(System.getProperty("descartes.jar", "target/descartes.jar")).toAbsolutePath();
  }

  static Path examples() {
    return Path.of(System.getProperty("descartes.examples", "../examples"))
        .toAbsolutePath()
        .normalize();
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The command line that runs descartes with {@code args}, with SIGINT back to its default
   * disposition: as at a terminal, where Ctrl+C reaches it. A build started in the background
   * (where the shell ignores SIGINT for its children) would otherwise pass the ignored disposition
   * on, and descartes, like any well-behaved program, keeps ignoring it.
   */
  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(DEFAULT_SIGINT);
    cmd.add(java());
    cmd.addAll(ClassArchive.OPTIONS);
    // sqlite-jdbc extracts its native library into this directory and deletes it at exit; a daemon
    // a test kills with SIGKILL would leave it in /tmp for good, so it goes into the build's own
    cmd.add("-Dorg.sqlite.tmpdir=" + jar().getParent());
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * A class-data-sharing archive of the classes descartes loads, made once per test JVM, so that
   * each of the many descartes processes the tests start spends less on starting the JVM (the same
   * jar and main class run either way). Without it (the dump failed), no options.
   */
  private static final class ClassArchive {
    static final List<String> OPTIONS = create();

    private static List<String> create() {
      try {
        Path dir = Files.createTempDirectory("descartes-cds");
        Path archive = dir.resolve("descartes.jsa");
        Path fleet =
            Files.writeString(
                dir.resolve("fleet.yaml"), "maxConcurrency: x\nagents: {a: {command: true}}\n");
        Process p =
            new ProcessBuilder(
                    java(),
                    "-XX:ArchiveClassesAtExit=" + archive,
                    "-Xlog:disable",
                    "--enable-native-access=ALL-UNNAMED",
                    "-jar",
                    jar().toString(),
                    "run",
                    "-f",
                    fleet.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        boolean done = p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        Files.delete(fleet);
        // deleteOnExit deletes in reverse order: the folder first would fail while it holds the
        // archive
        dir.toFile().deleteOnExit();
        archive.toFile().deleteOnExit();
        if (!done) {
          p.destroyForcibly().waitFor();
          return List.of();
        }
        return Files.isRegularFile(archive)
            ? List.of(
                "-XX:SharedArchiveFile=" + archive, "-Xlog:disable", "-XX:TieredStopAtLevel=1")
            : List.of();
      } catch (IOException e) {
        return List.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
  }

  /**
   * coreutils {@code env --default-signal=INT} where it has the option (8.31 and later), else
   * nothing.
   */
  private static final List<String> DEFAULT_SIGINT = defaultSigint();

  private static List<String> defaultSigint() {
    try {
      Process p =
          new ProcessBuilder("env", "--default-signal=INT", "true")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor() == 0 ? List.of("env", "--default-signal=INT") : List.of();
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * The environment with {@code examples/agents} first on PATH, plus {@code extra} and the {@link
   * CliLeakCheck} marker.
   */
  static Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PATH", examples().resolve("agents") + ":" + System.getenv("PATH"));
    env.remove("NO_COLOR");
    env.putAll(extra);
    env.put(CliLeakCheck.MARKER_NAME, CliLeakCheck.MARKER_VALUE);
    return env;
  }

  /** Starts descartes in {@code dir} with the {@link #env} environment. */
  static Running start(Path dir, Map<String, String> extraEnv, String... args) {
    return launch(dir, command(args), env(extraEnv));
  }

  /** Starts {@code argv} as it is (for a pseudo-terminal wrapper around descartes). */
  static Running launch(Path dir, List<String> argv, Map<String, String> env) {
    try {
      Path out = Files.createTempFile("descartes-out", ".txt");
      Path err = Files.createTempFile("descartes-err", ".txt");
      out.toFile().deleteOnExit();
      err.toFile().deleteOnExit();
      ProcessBuilder pb =
          new ProcessBuilder(argv)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      return new Running(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs descartes to its end. */
  static Running run(Path dir, Map<String, String> extraEnv, String... args) {
    Running r = start(dir, extraEnv, args);
    r.exitCode();
    return r;
  }

  /** A descartes process and its output so far. */
  record Running(Process process, Path out, Path err) {

    String stdout() {
      return read(out);
    }

    String stderr() {
      return read(err);
    }

    List<String> stdoutLines() {
      return stdout().lines().collect(Collectors.toList());
    }

    /**
     * Waits for the process to end; if it does not, fails the test with its output and a thread
     * dump (SIGQUIT makes the JVM print one on stdout), after killing it.
     */
    int exitCode() {
      try {
        if (!process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
          new ProcessBuilder("kill", "-QUIT", String.valueOf(process.pid()))
              .start()
              .waitFor(); // thread dump
          process.waitFor(5, TimeUnit.SECONDS);
          process.destroyForcibly().waitFor();
          throw new AssertionError(
              "descartes did not end within "
                  + PATIENCE
                  + "\nstdout:\n"
                  + stdout()
                  + "\nstderr:\n"
                  + stderr());
        }
        return process.exitValue();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** Waits until stdout satisfies {@code condition}. */
    void awaitStdout(Predicate<String> condition) {
      await()
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(50))
          .failFast(
              "descartes ended early: " + this,
              () -> !process.isAlive() && !condition.test(stdout()))
          .until(() -> condition.test(stdout()));
    }

    /** Waits until stderr satisfies {@code condition}. */
    void awaitStderr(Predicate<String> condition) {
      await()
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(50))
          .failFast(
              "descartes ended early: " + this,
              () -> !process.isAlive() && !condition.test(stderr()))
          .until(() -> condition.test(stderr()));
    }

    /** Sends SIGINT (what Ctrl+C sends) to the descartes process itself. */
    void interrupt() {
      try {
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start();
        assertThat(kill.waitFor()).as("kill -INT").isZero();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    @Override
    public String toString() {
      return "exit "
          + (process.isAlive() ? "(running)" : process.exitValue())
          + "\n--- stdout:\n"
          + stdout()
          + "\n--- stderr:\n"
          + stderr();
    }

    private static String read(Path p) {
      try {
        return new String(
            Files.readAllBytes(p), StandardCharsets.UTF_8); // a line may be half written
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
