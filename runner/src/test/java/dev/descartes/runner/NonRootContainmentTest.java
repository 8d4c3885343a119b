package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.testing.Cgroups;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Without root (a runner JVM running as {@code nobody}, which can write no cgroup here), each agent
 * runs in a PID namespace of its own that dies with the runner: SIGKILL of a runner JVM with 20
 * agents, each with a grandchild in its own session, leaves none of them alive one second later;
 * and the runner still sees the agent's own pid, its exit codes, its output, and its signals reach
 * the agent.
 */
@ExtendWith(LeakCheck.class)
class NonRootContainmentTest {

  private static final int AGENTS = 20;
  private static Path classPath;
  private static String joinedClassPath;

  @BeforeAll
  static void copyTheClassPathWhereNobodyCanReadIt() throws IOException {
    assumeTrue(isRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root to drop");
    classPath =
        Files.createTempDirectory(
            "descartes-nobody-cp-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    List<String> entries = new ArrayList<>();
    int i = 0;
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String e : cp.split(java.io.File.pathSeparator)) {
      Path src = Path.of(e);
      if (!Files.exists(src)) {
        continue;
      }
      Path dst = classPath.resolve((i++) + "-" + src.getFileName());
      copy(src, dst);
      entries.add(dst.toString());
    }
    joinedClassPath = String.join(java.io.File.pathSeparator, entries);
  }

  @AfterAll
  static void removeTheCopy() throws IOException {
    if (classPath != null) {
      try (Stream<Path> s = Files.walk(classPath)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void sigkillOfANonRootRunnerLeavesNoSurvivorAfterOneSecond() throws Exception {
    String marker = "mark-" + UUID.randomUUID();
    RunnerDeathTest.assertNoSurvivorOneSecondAfterSigkill(
        startAsNobody(RunnerDeathTest.DyingRunner.class, marker), marker);
  }

  @Test
  void aNamespacedAgentKeepsItsPidSignalsExitCodesAndOutput() throws Exception {
    String marker = "mark-" + UUID.randomUUID();
    Process jvm = startAsNobody(NamespacedAgentReport.class, marker);
    try {
      Map<String, String> report = new HashMap<>();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          report.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(report)
          .containsEntry("pidIsTheAgent", "true")
          .containsEntry("exitCode", "3")
          .containsEntry("lines", "1000")
          .containsEntry("lastLine", "line 1000")
          .containsEntry("echoed", "hello")
          .containsEntry("termTrapped", "true")
          .containsEntry("termExit", "7")
          .containsEntry("killed", "SIGKILL")
          .containsEntry("killedStatus", "TERMINATED")
          .containsEntry("grandchildGoneAfterExit", "true");
    } finally {
      jvm.destroyForcibly().waitFor();
      for (long pid : Cgroups.marked(marker)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static Process startAsNobody(Class<?> main, String marker) throws IOException {
    List<String> cmd =
        List.of(
            "/usr/bin/setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            ProcessHandle.current().info().command().orElseThrow(),
            "-XX:-UsePerfData",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            joinedClassPath,
            "-Ddescartes.engine=" + TestRunners.engine().name().toLowerCase(),
            main.getName(),
            marker);
    return new ProcessBuilder(cmd)
        .directory(classPath.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static boolean isRoot() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("Uid:"))
        .anyMatch(l -> l.split("\\s+")[2].equals("0"));
  }

  private static void copy(Path src, Path dst) throws IOException {
    if (!Files.isDirectory(src)) {
      Files.copy(src, dst);
      Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-r--r--"));
      return;
    }
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
          Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(p, t);
          Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }

  /** As {@code nobody}: checks what the runner sees of namespaced agents and prints key=value. */
  public static final class NamespacedAgentReport {
    public static void main(String[] args) throws Exception {
      String marker = args[0];
      try (LocalProcessRunner runner = new LocalProcessRunner(TestRunners.config().build())) {
        AgentOutput[] reader = new AgentOutput[1];
        AgentHandle lines =
            runner.spawn(
                AgentConfig.builder()
                    .name("lines")
                    .command(
                        "/bin/sh",
                        "-c",
                        "read go; i=1; while [ $i -le 1000 ]; do echo line $i; i=$((i+1)); done;"
                            + " setsid sh -c 'sleep 300; : "
                            + marker
                            + "' & exit 3")
                    .build(),
                Duration.ZERO,
                h -> reader[0] = h.stdout(OutputDelivery.EVERY_LINE));
        String cmdline =
            new String(
                Files.readAllBytes(Path.of("/proc/" + lines.pid() + "/cmdline")),
                StandardCharsets.UTF_8);
        System.out.println("pidIsTheAgent=" + cmdline.startsWith("/bin/sh\0-c\0read go"));
        lines.writeStdin("go\n".getBytes(StandardCharsets.UTF_8));
        List<String> got = readAll(reader[0]);
        ExitStatus st = lines.waitFor();
        System.out.println("exitCode=" + st.code().orElse(-1));
        System.out.println("lines=" + got.size());
        System.out.println("lastLine=" + (got.isEmpty() ? "" : got.getLast()));
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Cgroups.marked(marker).isEmpty() && System.nanoTime() < end) {
          LockSupport.parkNanos(10_000_000);
        }
        System.out.println("grandchildGoneAfterExit=" + Cgroups.marked(marker).isEmpty());

        AgentHandle echo =
            runner.spawn(
                AgentConfig.builder()
                    .name("echo")
                    .command("/bin/sh", "-c", "read l; echo $l")
                    .build(),
                Duration.ZERO,
                h -> reader[0] = h.stdout(OutputDelivery.EVERY_LINE));
        echo.writeStdin("hello\n".getBytes(StandardCharsets.UTF_8));
        List<String> echoed = readAll(reader[0]);
        echo.waitFor();
        System.out.println("echoed=" + String.join(",", echoed));

        AgentHandle term =
            runner.spawn(
                AgentConfig.builder()
                    .name("term")
                    .command(
                        "/bin/sh",
                        "-c",
                        "trap 'echo trapped; exit 7' TERM; echo up; while :; do sleep 0.05; done")
                    .build(),
                Duration.ZERO,
                h -> reader[0] = h.stdout(OutputDelivery.EVERY_LINE));
        String first = line(reader[0].poll(Duration.ofSeconds(30)));
        term.signal(AgentSignal.TERMINATE);
        ExitStatus ts = term.waitFor();
        boolean trapped = first.equals("up") && readAll(reader[0]).equals(List.of("trapped"));
        System.out.println("termTrapped=" + trapped);
        System.out.println("termExit=" + ts.code().orElse(-1));

        AgentHandle sleeper =
            runner.spawn(
                AgentConfig.builder().name("sleeper").command("/bin/sleep", "300").build());
        sleeper.kill();
        ExitStatus ks = sleeper.waitFor();
        System.out.println("killed=" + (ks.signal().orElse(0) == 9 ? "SIGKILL" : ks.toString()));
        System.out.println("killedStatus=" + sleeper.status());
      }
      System.out.flush();
    }

    private static List<String> readAll(AgentOutput out) throws InterruptedException {
      List<String> got = new ArrayList<>();
      while (true) {
        java.util.Optional<OutputLine> l = out.poll(Duration.ofSeconds(30));
        if (l.isPresent()) {
          got.add(line(l));
        } else if (out.isFinished()) {
          return got;
        }
      }
    }

    private static String line(java.util.Optional<OutputLine> l) {
      return l.map(x -> new String(x.bytes(), StandardCharsets.UTF_8).stripTrailing()).orElse("");
    }
  }
}
