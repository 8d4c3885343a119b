package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.testing.Cgroups;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runner's death kills its agents: SIGKILL to a JVM that runs 20 agents, each with a grandchild
 * that started its own session, leaves no process of theirs alive one second later.
 */
@ExtendWith(LeakCheck.class)
class RunnerDeathTest {

  private static final int AGENTS = 20;

  @Test
  void sigkillOfTheRunnerJvmLeavesNoSurvivorAfterOneSecond() throws Exception {
    assumeTrue(Cgroups.available(), "this machine gives agents no cgroup (see descartes doctor)");
    String marker = "mark-" + UUID.randomUUID();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                "-Ddescartes.engine=" + TestRunners.engine().name().toLowerCase(),
                DyingRunner.class.getName(),
                marker));
    Process jvm = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertNoSurvivorOneSecondAfterSigkill(jvm, marker);
  }

  /**
   * Waits for {@code jvm} (running {@link DyingRunner}) to say "ready", SIGKILLs it, and fails if a
   * process marked with {@code marker} is still alive one second later; kills leftovers either way.
   */
  static void assertNoSurvivorOneSecondAfterSigkill(Process jvm, String marker) throws Exception {
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).isEqualTo("ready");
      assertThat(Cgroups.marked(marker)).hasSizeGreaterThanOrEqualTo(2 * AGENTS);

      jvm.destroyForcibly(); // SIGKILL
      assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      List<Long> survivors = Cgroups.marked(marker);
      while (!survivors.isEmpty() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(10_000_000);
        survivors = Cgroups.marked(marker);
      }
      assertThat(survivors)
          .as("processes of the dead runner's agents one second after its SIGKILL")
          .isEmpty();
    } finally {
      jvm.destroyForcibly().waitFor();
      for (long pid : Cgroups.marked(marker)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /**
   * Runs 20 agents, each with a grandchild in its own session, prints "ready", and waits to be
   * killed.
   */
  public static final class DyingRunner {
    public static void main(String[] args) throws Exception {
      String marker = args[0];
      LocalProcessRunner runner = new LocalProcessRunner(TestRunners.config().build());
      for (int i = 0; i < AGENTS; i++) {
        runner.spawn(
            AgentConfig.builder()
                .name("a" + i)
                .command(
                    "/bin/sh",
                    "-c",
                    "setsid sh -c 'sleep 300; : " + marker + "' & sleep 300; : " + marker)
                .build());
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (Cgroups.marked(marker).size() < 2 * AGENTS && System.nanoTime() < deadline) {
        LockSupport.parkNanos(10_000_000);
      }
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
