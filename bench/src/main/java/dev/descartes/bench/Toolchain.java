package dev.descartes.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The programs the harness drives: this JVM for the Java subjects, the C peer and the fake agent
 * (built here with gcc from {@code bench/peers/*.c} into {@code bench/target/peers}), python3,
 * node, and the claude CLI when one is installed.
 */
public final class Toolchain {

  private final Path home;
  private final Path built;

  /**
   * @param home the {@code bench} directory of the repository
   */
  public Toolchain(Path home) {
    this.home = home.toAbsolutePath().normalize();
    this.built = this.home.resolve("target/peers");
  }

  public Path home() {
    return home;
  }

  public Path repositoryRoot() {
    return home.getParent();
  }

  /** Compiles the fake agent and the C peer when their sources are newer than the binaries. */
  public void compile() throws IOException, InterruptedException {
    Files.createDirectories(built);
    gcc("agent.c", agent());
    gcc("peer.c", peerC());
  }

  private void gcc(String source, Path out) throws IOException, InterruptedException {
    Path src = home.resolve("peers").resolve(source);
    if (Files.exists(out)
        && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) > 0) {
      return;
    }
    String gcc =
        onPath("gcc")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "gcc is not on PATH; the harness builds its fake agent with it (apt-get install gcc)"));
    Process p =
        new ProcessBuilder(gcc, "-O2", "-Wall", "-o", out.toString(), src.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("gcc failed on " + src + ":\n" + log);
    }
  }

  /** The fake agent every subject runs ({@code bench-agent gen|tick|idle|stubborn}). */
  public Path agent() {
    return built.resolve("bench-agent");
  }

  public Path peerC() {
    return built.resolve("peer-c");
  }

  public Path peerScript(String name) {
    return home.resolve("peers").resolve(name);
  }

  /** The java launcher of this JVM, which the Java subjects' workers run on. */
  public String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public String classPath() {
    return System.getProperty("java.class.path");
  }

  /** The absolute path of a program every subject runs (true, cat), found on PATH. */
  public String program(String name) {
    return onPath(name).orElseThrow(() -> new IllegalStateException(name + " is not on PATH"));
  }

  public Optional<String> python() {
    return onPath("python3");
  }

  public Optional<String> node() {
    return onPath("node");
  }

  /**
   * The claude CLI: {@code $DESCARTES_CLAUDE_CLI}, else the one {@code
   * scripts/install-agent-clis.sh} installs under {@code target/agent-clis}, else {@code claude} on
   * PATH.
   */
  public Optional<String> claude() {
    String env = System.getenv("DESCARTES_CLAUDE_CLI");
    if (env != null && !env.isBlank()) {
      return Optional.of(env).filter(p -> Files.isExecutable(Path.of(p)));
    }
    Path installed = repositoryRoot().resolve("target/agent-clis/claude/node_modules/.bin/claude");
    if (Files.isExecutable(installed)) {
      return Optional.of(installed.toString());
    }
    return onPath("claude");
  }

  /** The first line {@code argv} prints, or "" (for versions: gcc --version, node --version). */
  public static String firstLine(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out.lines().findFirst().orElse("");
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  static Optional<String> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p.toAbsolutePath().toString());
      }
    }
    return Optional.empty();
  }
}
