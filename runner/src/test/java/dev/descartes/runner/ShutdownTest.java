package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.WaitId;
import dev.descartes.runner.testing.BrokenBackends;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown: the default and custom sequences, the parallel runner shutdown, the JVM hook.
 */
@ExtendWith(LeakCheck.class)
class ShutdownTest {

  @TempDir Path dir;

  @Test
  void defaultSequenceStopsACooperativeAgentWithSigterm() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("s").command("sleep", "300").build());
      ExitStatus st = GracefulShutdown.ofSeconds(30).shutdown(h);
      assertThat(st.signal()).hasValue(15);
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    }
  }

  @Test
  void aBackendWhoseStopSequenceThrowsIsStoppedWithTheDefaultByStopAndByShutdown()
      throws Exception {
    AgentBackend brokenStop = BrokenBackends.stopSequenceThrows("broken-stop", "sleep 300");
    List<AgentHandle> handles = new ArrayList<>();
    try (var runner = TestRunners.runner(TestRunners.config().backend(brokenStop))) {
      for (int i = 0; i < 3; i++) {
        handles.add(
            runner.spawn(
                AgentConfig.builder().name("b" + i).modelBackend("broken-stop").task("t").build()));
      }
      ExitStatus st = handles.getFirst().stop(Duration.ofSeconds(30));
      assertThat(st.signal()).hasValue(15);
      runner.shutdown(Duration.ofSeconds(30));
    }
    for (AgentHandle h : handles) {
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
      assertThat(ProcessHandle.of(h.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    }
  }

  @Test
  void aWrappedHandleStillEndsTerminatedAfterAGracefulShutdown() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle inner =
          runner.spawn(
              AgentConfig.builder()
                  .name("wrapped")
                  .command(
                      Scripts.shell("trap 'exit 0' TERM; echo armed; while :; do sleep 1; done"))
                  .build());
      assertThat(inner.readStdout(Duration.ofSeconds(30))).isPresent();
      AgentHandle wrapper =
          (AgentHandle)
              java.lang.reflect.Proxy.newProxyInstance(
                  AgentHandle.class.getClassLoader(),
                  new Class<?>[] {AgentHandle.class},
                  (proxy, method, args) -> {
                    try {
                      return method.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
      ExitStatus st = GracefulShutdown.ofSeconds(30).shutdown(wrapper);
      assertThat(st.code()).hasValue(0);
      assertThat(inner.status())
          .as("stopped on purpose through the wrapper, even with exit 0")
          .isEqualTo(AgentStatus.TERMINATED);
    }
  }

  @Test
  void waitsCountFromTheGivenStartSoAgentsStoppedTogetherShareOneDeadline() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("deaf")
                  .command(Scripts.shell("trap '' TERM; echo armed; while :; do sleep 1; done"))
                  .build());
      assertThat(h.readStdout(Duration.ofSeconds(30))).isPresent();
      // An hour's wait that began an hour ago is over: straight to SIGKILL, not another hour.
      ExitStatus st =
          Assertions.assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () ->
                  new GracefulShutdown(Duration.ofHours(1))
                      .shutdown(h, Instant.now().minus(Duration.ofHours(1))));
      assertThat(st.signal()).hasValue(9);
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    }
  }

  @Test
  void runStepsReportsAnAgentThatEndedWithinThemAndLeavesTheKillToTheCaller() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle polite =
          runner.spawn(AgentConfig.builder().name("polite").command("sleep", "300").build());
      AgentHandle deaf =
          runner.spawn(
              AgentConfig.builder()
                  .name("deaf")
                  .command(Scripts.shell("trap '' TERM; echo armed; while :; do sleep 1; done"))
                  .build());
      assertThat(deaf.readStdout(Duration.ofSeconds(30))).isPresent();
      GracefulShutdown sequence = new GracefulShutdown(Duration.ofMillis(300));

      assertThat(sequence.runSteps(polite, Instant.now()))
          .hasValueSatisfying(st -> assertThat(st.signal()).hasValue(15));
      assertThat(polite.status()).isEqualTo(AgentStatus.TERMINATED);

      assertThat(sequence.runSteps(deaf, Instant.now())).isEmpty();
      assertThat(deaf.status())
          .as("no SIGKILL: the caller's to send")
          .isEqualTo(AgentStatus.STOPPING);
      deaf.kill();
      assertThat(deaf.waitFor(Duration.ofSeconds(30)).orElseThrow().signal()).hasValue(9);
      assertThat(deaf.status()).isEqualTo(AgentStatus.TERMINATED);
    }
  }

  @Test
  void defaultSequenceKillsAnAgentThatIgnoresSigterm() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("deaf")
                  .command(Scripts.shell("trap '' TERM; echo armed; while :; do sleep 1; done"))
                  .build());
      assertThat(h.readStdout(Duration.ofSeconds(30))).isPresent();
      ExitStatus st = new GracefulShutdown(Duration.ofMillis(200)).shutdown(h);
      assertThat(st.signal()).hasValue(9);
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    }
  }

  @Test
  void aCustomSequenceClosesStdinThenInterrupts() throws Exception {
    try (var runner = TestRunners.runner()) {
      // Ignores end of file on stdin; exits 0 on SIGINT.
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("int")
                  .command(
                      Scripts.shell(
                          "trap 'echo got-int; exit 0' INT; echo armed; "
                              + "while :; do sleep 1; done"))
                  .build());
      assertThat(h.readStdout(Duration.ofSeconds(30))).isPresent();
      GracefulShutdown seq =
          GracefulShutdown.builder()
              .closeStdin()
              .await(Duration.ZERO)
              .signal(AgentSignal.INTERRUPT)
              .await(Duration.ofSeconds(30))
              .signal(AgentSignal.TERMINATE)
              .await(Duration.ofSeconds(30))
              .build();
      assertThat(seq.toString()).contains("close stdin", "INTERRUPT", "TERMINATE", "KILL");
      ExitStatus st = seq.shutdown(h);
      assertThat(st.code()).hasValue(0);
      assertThat(h.status())
          .as("stopped on purpose, even with exit 0")
          .isEqualTo(AgentStatus.TERMINATED);
      assertThat(h.isStdinOpen()).isFalse();
      assertThat(h.stdout().poll()).map(OutputLine::text).contains("got-int");
    }
  }

  @Test
  void shutdownStopsAllAgentsInParallel() throws Exception {
    int n = 10;
    try (var runner = TestRunners.runner()) {
      List<AgentHandle> handles = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        handles.add(
            runner.spawn(
                AgentConfig.builder()
                    .name("deaf" + i)
                    .command(
                        Scripts.shell(
                            "trap 'echo got-term' TERM; echo armed; while :; do sleep 1; done"))
                    .build()));
      }
      for (AgentHandle h : handles) {
        assertThat(h.readStdout(Duration.ofSeconds(30))).isPresent();
      }
      // In parallel, every agent has its SIGTERM before the first one is killed; in series the
      // first would be killed before the second got its SIGTERM.
      List<String> order = new CopyOnWriteArrayList<>();
      for (AgentHandle h : handles) {
        h.onEvent(
            e -> {
              if (e instanceof AgentEvent.RawLine r && r.text().equals("got-term")) {
                order.add("term");
              } else if (e instanceof AgentEvent.Exited) {
                order.add("exit");
              }
            });
      }
      runner.shutdown(Duration.ofSeconds(2));
      assertThat(handles).allMatch(h -> h.status() == AgentStatus.TERMINATED);
      assertThat(order).hasSize(2 * n);
      assertThat(order.subList(0, n)).containsOnly("term");
    }
  }

  /**
   * The runner sends SIGKILL itself, for all agents at once, when their sequences' waits are over:
   * never before a sequence's own last step, whatever timeout the runner was given.
   */
  @Test
  void aRunnerShutdownKillsOnlyAfterEachAgentsWholeStopSequence() throws Exception {
    Duration step = Duration.ofMillis(300);
    AgentBackend patient =
        TemplateBackend.builder("patient")
            .command(
                Scripts.shell(
                    "trap 'echo got-int' INT; trap 'echo got-term' TERM; echo armed;"
                        + " while :; do sleep 0.1; done"))
            .stopSequence(
                timeout ->
                    GracefulShutdown.builder()
                        .signal(AgentSignal.INTERRUPT)
                        .await(step)
                        .signal(AgentSignal.TERMINATE)
                        .await(step)
                        .build())
            .build();
    try (var runner = TestRunners.runner(TestRunners.config().backend(patient))) {
      List<AgentHandle> handles = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        handles.add(
            runner.spawn(
                AgentConfig.builder().name("p" + i).modelBackend("patient").task("t").build()));
      }
      for (AgentHandle h : handles) {
        assertThat(h.readStdout(Duration.ofSeconds(30))).map(String::new).hasValue("armed\n");
      }
      long t0 = System.nanoTime();
      runner.shutdown(Duration.ofMillis(50));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(took).isGreaterThanOrEqualTo(step.multipliedBy(2));
      for (AgentHandle h : handles) {
        assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
        assertThat(h.waitFor(Duration.ZERO).orElseThrow().signal()).hasValue(9);
        List<String> seen = new ArrayList<>();
        java.util.Optional<byte[]> line;
        while ((line = h.readStdout()).isPresent()) {
          seen.add(new String(line.get()).strip());
        }
        assertThat(seen).contains("got-int", "got-term");
      }
    }
  }

  @Test
  void theJvmShutdownHookStopsEveryAgent() throws Exception {
    Path pids = dir.resolve("pids");
    Process jvm =
        new ProcessBuilder(javaCommand(HookMain.class.getName(), pids.toString(), "true"))
            .redirectErrorStream(true)
            .start();
    String out = new String(jvm.getInputStream().readAllBytes());
    assertThat(jvm.waitFor()).as(out).isZero();
    List<String> lines = Files.readAllLines(pids);
    assertThat(lines).hasSize(3);
    for (String pid : lines) {
      assertThat(Path.of("/proc/" + pid.trim())).doesNotExist();
    }
  }

  @Test
  void theShutdownHookCanBeTurnedOff() throws Exception {
    Path pids = dir.resolve("pids");
    Process jvm =
        new ProcessBuilder(javaCommand(HookMain.class.getName(), pids.toString(), "false"))
            .redirectErrorStream(true)
            .start();
    String out = new String(jvm.getInputStream().readAllBytes());
    assertThat(jvm.waitFor()).as(out).isZero();
    List<Long> survivors =
        Files.readAllLines(pids).stream().map(s -> Long.parseLong(s.trim())).toList();
    try {
      assertThat(survivors)
          .allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    } finally {
      // Orphaned by the dead JVM, they were re-parented to this one (a subreaper): kill and reap.
      for (long pid : survivors) {
        Native n = Native.get().orElseThrow();
        n.pidfdOpen(pid)
            .ifPresent(
                opened -> {
                  try (var fd = opened) {
                    n.pidfdSendSignal(fd, 9);
                    n.awaitExit(fd, 30_000);
                    WaitId.reap(fd);
                  }
                });
      }
    }
  }

  private static List<String> javaCommand(String main, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "-Ddescartes.engine=" + TestRunners.engine().name().toLowerCase(),
                main));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Spawns three agents, writes their pids, and exits the JVM without closing the runner. */
  public static final class HookMain {
    public static void main(String[] args) throws Exception {
      boolean hook = Boolean.parseBoolean(args[1]);
      // Without the hook, agents only survive the JVM's end without their cgroups too: the death
      // watchdog kills the agents of a JVM that ends in any way (RunnerDeathTest).
      var runner =
          new LocalProcessRunner(
              TestRunners.config()
                  .shutdownHook(hook)
                  .cgroupContainment(hook)
                  .shutdownTimeout(Duration.ofSeconds(1))
                  .build());
      StringBuilder pids = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        AgentHandle h =
            runner.spawn(AgentConfig.builder().name("h" + i).command("sleep", "300").build());
        pids.append(h.pid()).append('\n');
      }
      Files.writeString(Path.of(args[0]), pids);
      System.exit(0);
    }
  }
}
