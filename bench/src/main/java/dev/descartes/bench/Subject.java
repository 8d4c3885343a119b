package dev.descartes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One contestant: this project's runner with one engine, or a peer doing the same workloads its own
 * way. Each run is a process of its own that prints one JSON object.
 *
 * @param id the name in tables, plots and JSON ({@code runner-jdk}, {@code c-posix-spawn}, ...)
 * @param kind what it is
 * @param engine the runner's engine ({@code jdk}, {@code native}, {@code auto}); empty for peers
 * @param note one line on how it works, for the tables' legend
 */
public record Subject(String id, Kind kind, String engine, String note) {

  /**
   * The runner at INFO: the tests' jar on the class path (for the fake model server) sets it to
   * DEBUG.
   */
  static final String QUIET_RUNNER = "-Dorg.slf4j.simpleLogger.log.dev.descartes=info";

  /** The kinds of subject. */
  public enum Kind {
    RUNNER,
    PROCESS_BUILDER,
    C,
    PYTHON,
    NODE
  }

  public static Subject runner(String engine) {
    return new Subject(
        "runner-" + engine,
        Kind.RUNNER,
        engine,
        "this project's LocalProcessRunner, engine " + engine + ", default settings");
  }

  /** The peers of the issue, in table order. */
  public static List<Subject> peers() {
    return List.of(
        new Subject(
            "jdk-processbuilder",
            Kind.PROCESS_BUILDER,
            "",
            "raw JDK ProcessBuilder: stdout pipe, stderr discarded, one platform thread per reader"),
        new Subject(
            "c-posix-spawn",
            Kind.C,
            "",
            "C: posix_spawn (new session, 3 pipes), one poll(2) loop over pipes and pidfds, 1 thread"),
        new Subject(
            "python-asyncio",
            Kind.PYTHON,
            "",
            "Python asyncio.create_subprocess_exec, 3 pipes, new session (what the Claude Agent SDK uses)"),
        new Subject(
            "node-child-process",
            Kind.NODE,
            "",
            "Node child_process.spawn, 3 pipes, detached (what pm2 uses), readline"));
  }

  public boolean isRunner() {
    return kind == Kind.RUNNER;
  }

  /** Why this subject cannot run on this machine, if it cannot. */
  public Optional<String> unavailable(Toolchain tools) {
    return switch (kind) {
      case PYTHON ->
          tools.python().isPresent() ? Optional.empty() : Optional.of("python3 is not on PATH");
      case NODE -> tools.node().isPresent() ? Optional.empty() : Optional.of("node is not on PATH");
      default -> Optional.empty();
    };
  }

  /** The command line of one run of {@code v}. */
  public List<String> argv(Toolchain tools, Variant v) {
    List<String> argv = new ArrayList<>();
    switch (kind) {
      case RUNNER, PROCESS_BUILDER -> {
        argv.addAll(
            List.of(
                tools.java(),
                "--enable-native-access=ALL-UNNAMED",
                QUIET_RUNNER,
                "-cp",
                tools.classPath(),
                "dev.descartes.bench.worker.WorkerMain",
                kind == Kind.RUNNER ? "runner" : "processbuilder",
                v.scenario()));
        if (kind == Kind.RUNNER) {
          argv.add("engine=" + engine);
        }
      }
      case C -> argv.addAll(List.of(tools.peerC().toString(), v.scenario()));
      case PYTHON ->
          argv.addAll(
              List.of(
                  tools.python().orElseThrow(),
                  tools.peerScript("peer.py").toString(),
                  v.scenario()));
      case NODE ->
          argv.addAll(
              List.of(
                  tools.node().orElseThrow(),
                  "--expose-gc",
                  tools.peerScript("peer.js").toString(),
                  v.scenario()));
    }
    argv.addAll(v.args());
    return argv;
  }
}
