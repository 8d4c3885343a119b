package dev.descartes.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark harness: runs every scenario for this project's runner (one or more engines) and
 * for each peer, each run in a process of its own, then prints the tables, and writes {@code
 * <scenario>.json}, {@code <scenario>.png} and {@code tables.md}. Exits 1 if any run failed or left
 * a process behind. Started by {@code bench/run}.
 */
@Command(
    name = "bench/run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures the Descartes runner against raw ProcessBuilder, C posix_spawn, Python asyncio and Node.",
      "Quick mode (the default) checks everything in under three minutes; full mode makes the published figures."
    })
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--quick", description = "small workloads, one run each (default)")
  boolean quick;

  @Option(
      names = "--full",
      description = "the issue's sizes (1000 agents, 1 GiB, 10,000 cycles), 5 runs each")
  boolean full;

  @Option(
      names = "--scenario",
      split = ",",
      paramLabel = "NAME",
      description =
          "scenarios to run, in this order, of: spawn, throughput, roundtrip, footprint, fanout, "
              + "shutdown, ttfe, soak (default: all, in that order)")
  List<String> scenarios = new ArrayList<>(Catalog.SCENARIOS);

  @Option(
      names = "--engine",
      split = ",",
      paramLabel = "ENGINE",
      description =
          "runner engines to measure side by side, of: jdk, native, auto (default: jdk,native)")
  List<String> engines = new ArrayList<>(List.of("jdk", "native"));

  @Option(
      names = "--subject",
      split = ",",
      paramLabel = "PREFIX",
      description =
          "only subjects whose id starts with one of these (runner, jdk, c, python, node)")
  List<String> subjects;

  @Option(
      names = "--runs",
      description = "runs per scenario and subject (default: 1 quick, 5 full)")
  Integer runs;

  @Option(
      names = "--agents",
      description = "agents in the spawn, footprint, fan-out and shutdown scenarios")
  Integer agents;

  @Option(names = "--cycles", description = "spawn-and-exit cycles of the soak")
  Integer cycles;

  @Option(names = "--kill-cycles", description = "spawn-and-kill cycles of the soak")
  Integer killCycles;

  @Option(
      names = "--out",
      description =
          "where results go (default: bench/results in full mode, "
              + "bench/target/results in quick mode)")
  Path out;

  @Option(names = "--home", description = "the bench directory (default: ./bench, or . inside it)")
  Path home;

  @Option(
      names = "--timeout-minutes",
      description = "time limit of one run (default: ${DEFAULT-VALUE})")
  int timeoutMinutes = 20;

  @Option(
      names = "--invocation",
      hidden = true,
      description = "how bench/run was called, for the records")
  String invocation;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (quick && full) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "choose --quick or --full, not both");
    }
    for (String s : scenarios) {
      if (!Catalog.SCENARIOS.contains(s)) {
        throw new CommandLine.ParameterException(
            new CommandLine(this),
            "unknown scenario '" + s + "'; known: " + String.join(", ", Catalog.SCENARIOS));
      }
    }
    long start = System.nanoTime();
    Sizes sizes = sizes();
    Toolchain tools =
        new Toolchain(
            home != null
                ? home
                : Files.isDirectory(Path.of("bench/peers")) ? Path.of("bench") : Path.of("."));
    tools.compile();
    Machine machine = Machine.describe(tools);
    List<Subject> all = subjects();
    Path dir = out != null ? out : tools.home().resolve(full ? "results" : "target/results");
    String command =
        invocation != null ? invocation : "bench/run" + (full ? " --full" : " --quick");
    System.out.println("Descartes Agent Runner benchmark, " + sizes.mode() + " mode");
    machine.facts().forEach((k, v) -> System.out.println("  " + k + ": " + v));
    System.out.println("subjects:");
    all.forEach(s -> System.out.println("  " + s.id() + ": " + s.note()));
    System.out.println(
        "ratios read \"<runner> is 2.10× slower\": the runner's median against that subject's.");

    Map<String, List<CaseResult>> byScenario = new LinkedHashMap<>();
    boolean failed = false;
    for (Variant v : Catalog.variants(sizes, tools, scenarios)) {
      CaseResult c =
          runCase(v, v.runnerOnly() ? all.stream().filter(Subject::isRunner).toList() : all, tools);
      new TextReport(System.out).print(c);
      if (v.scenario().equals("soak")) {
        SoakVerdict.lines(c).forEach(l -> System.out.println("  leak check: " + l));
        failed |= SoakVerdict.leaked(c);
      }
      failed |= c.failed();
      List<CaseResult> cases = byScenario.computeIfAbsent(v.scenario(), k -> new ArrayList<>());
      cases.add(c);
      ResultStore.write(dir, v.scenario(), cases, machine, command, sizes);
      BarChart.write(dir.resolve(v.scenario() + ".png"), v.scenario(), cases);
    }
    List<CaseResult> every = byScenario.values().stream().flatMap(List::stream).toList();
    Files.writeString(
        dir.resolve("tables.md"),
        MarkdownReport.render(every, machine, command),
        StandardCharsets.UTF_8);
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "wall time %.0f s; results in %s (JSON, PNG, tables.md)%n",
        (System.nanoTime() - start) / 1e9,
        dir);
    if (failed) {
      System.out.println("FAILED: a run failed or left processes behind; see above");
    }
    return failed ? 1 : 0;
  }

  private Sizes sizes() {
    Sizes s = full ? Sizes.full() : Sizes.quick();
    if (runs != null) {
      s = s.withRuns(runs);
    }
    if (agents != null) {
      s = s.withAgents(agents);
    }
    if (cycles != null || killCycles != null) {
      s =
          s.withCycles(
              cycles != null ? cycles : s.soakCycles(),
              killCycles != null ? killCycles : s.killCycles());
    }
    return s;
  }

  private List<Subject> subjects() {
    List<Subject> list = new ArrayList<>();
    engines.stream()
        .map(e -> e.toLowerCase(Locale.ROOT))
        .distinct()
        .forEach(e -> list.add(Subject.runner(e)));
    list.addAll(Subject.peers());
    if (subjects == null) {
      return list;
    }
    return list.stream()
        .filter(s -> subjects.stream().anyMatch(p -> s.id().startsWith(p)))
        .toList();
  }

  /**
   * Runs every subject on {@code v}, {@code v.runs()} times, in an order that rotates from run to
   * run.
   */
  private CaseResult runCase(Variant v, List<Subject> subjects, Toolchain tools)
      throws IOException, InterruptedException {
    CaseResult c = new CaseResult(v, subjects);
    Optional<String> caseSkip =
        v.scenario().equals("ttfe") ? ClaudeVariants.unavailable(tools) : Optional.empty();
    for (int run = 1; run <= v.runs(); run++) {
      for (int i = 0; i < subjects.size(); i++) {
        Subject s = subjects.get((i + run - 1) % subjects.size());
        if (c.problem(s.id()).isPresent()) {
          continue; // skipped or failed once: the other runs would say the same
        }
        Optional<String> skip = caseSkip.or(() -> s.unavailable(tools));
        if (skip.isPresent()) {
          c.add(RunOutcome.skipped(s.id(), run, skip.get()));
          continue;
        }
        System.err.printf(
            "[%s] %s run %d/%d: %s ... ",
            LocalTime.now().truncatedTo(ChronoUnit.SECONDS), v.id(), run, v.runs(), s.id());
        Path log =
            tools.home().resolve("target/logs/" + v.id() + "-" + s.id() + "-" + run + ".log");
        RunOutcome o =
            WorkerRun.run(s, run, s.argv(tools, v), log, Duration.ofMinutes(timeoutMinutes));
        c.add(o);
        System.err.printf(
            Locale.ROOT,
            "%.1f s%s%n",
            o.seconds(),
            o.skipped() != null ? " (skipped)" : o.error() != null ? " FAILED: " + o.error() : "");
        if (!o.leaked().isEmpty()) {
          System.err.println(
              "LEAK: "
                  + s.id()
                  + " left "
                  + o.leaked().size()
                  + " processes behind (killed): "
                  + String.join("; ", o.leaked().subList(0, Math.min(5, o.leaked().size()))));
        }
      }
    }
    return c;
  }
}
