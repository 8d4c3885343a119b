package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.AgentOutcome.ErrorKind;
import dev.descartes.runner.internal.cgroup.CgroupSupport;
import dev.descartes.runner.testing.BrokenBackends;
import dev.descartes.runner.testing.Cgroups;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-agent resource limits with real processes: the kernel enforces memory, processes and CPU
 * through the agent's cgroups, the runner enforces runtime and output, and the outcome names the
 * limit that ended the agent.
 */
@ExtendWith(LeakCheck.class)
class ResourceLimitsTest {

  @TempDir Path dir;
  private final String marker = "mark-" + UUID.randomUUID();

  private static void assumeKernelLimits(String controller) {
    assumeTrue(
        Cgroups.available() && CgroupSupport.detect().canLimit(controller),
        "this machine has no writable cgroup " + controller + " controller (see descartes doctor)");
  }

  @Test
  void aMemoryHogIsKilledAtItsLimitAndReportedWhileItsNeighbourIsUnaffected() throws Exception {
    assumeKernelLimits("memory");
    // Doubles a shell string up to 1 GiB: steps of 1, 2, 4, ... MiB, far past 128 MiB.
    Path hog =
        Scripts.sh(
            dir,
            "hog.sh",
            """
        a=$(head -c 1048576 /dev/zero | tr '\\0' x)
        i=0
        while [ $i -lt 10 ]; do a="$a$a"; i=$((i+1)); echo "step $i"; done
        echo survived
        """);
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle neighbour =
          runner.spawn(
              AgentConfig.builder()
                  .name("neighbour")
                  .command("/bin/sh", "-c", "read line; echo \"got $line\"")
                  .build());
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("hog")
                  .command(hog.toString())
                  .limits(ResourceLimits.builder().memoryBytes(128L << 20).build())
                  .build());

      assertThat(h.waitFor(Duration.ofSeconds(60))).isPresent();
      AgentOutcome o = h.outcome().orElseThrow();
      assertThat(o.errorKind()).contains(ErrorKind.MEMORY_LIMIT);
      assertThat(o.errorMessage().orElseThrow()).contains("memory limit of 128 MiB");
      assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
      assertThat(h.info().limits().memoryBytes()).hasValue(128L << 20);

      neighbour.writeStdin("hello\n".getBytes());
      assertThat(neighbour.waitFor(Duration.ofSeconds(30))).isPresent();
      assertThat(neighbour.status()).isEqualTo(AgentStatus.COMPLETED);
      assertThat(neighbour.readStdout()).map(String::new).contains("got hello\n");
    }
  }

  @Test
  void anAgentPastItsRuntimeLimitWhoseBackendsStopSequenceThrowsIsStoppedWithTheDefault()
      throws Exception {
    AgentBackend brokenStop = BrokenBackends.stopSequenceThrows("broken-stop", "sleep 60");
    try (var runner = TestRunners.runner(TestRunners.config().backend(brokenStop))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("b")
                  .modelBackend("broken-stop")
                  .task("t")
                  .limits(ResourceLimits.builder().runtime(Duration.ofSeconds(1)).build())
                  .build());

      assertThat(h.waitFor(Duration.ofSeconds(30))).isPresent();
      assertThat(h.outcome().orElseThrow().errorKind()).contains(ErrorKind.RUNTIME_LIMIT);
      assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
    }
  }

  @Test
  void aForkBombNeverExceedsItsProcessLimitAndIsStoppedWithNoSurvivor() throws Exception {
    assumeKernelLimits("pids");
    Path bomb =
        Scripts.sh(
            dir,
            "bomb.sh",
            """
        f() { f | f & }
        f
        echo lit
        sleep 300
        : %s
        """
                .formatted(marker));
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("bomb")
                  .command(bomb.toString())
                  .limits(ResourceLimits.builder().maxProcesses(64).build())
                  .build());
      Path pids = Cgroups.group(h, "pids").orElseThrow();
      AtomicLong most = new AtomicLong();
      // Until a fork is refused; the bomb may also end itself there (its own shell cannot fork any
      // more), and the runner then kills the rest and removes the group.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                sample(pids, most);
                return !h.status().isLive()
                    || Files.readString(pids.resolve("pids.events")).matches("(?s)max [1-9].*");
              });
      for (int i = 0; i < 50 && h.status().isLive(); i++) {
        sample(pids, most);
      }
      assertThat(most.get()).isBetween(2L, 64L);

      h.kill();

      assertThat(h.waitFor(Duration.ofSeconds(30))).isPresent();
      assertThat(Cgroups.marked(bomb.toString())).isEmpty();
      assertThat(h.outcome().orElseThrow().errorKind()).contains(ErrorKind.PIDS_LIMIT);
    }
  }

  /** Notes the group's process count, if the group is still there. */
  private static void sample(Path pids, AtomicLong most) {
    try {
      most.accumulateAndGet(Cgroups.number(pids.resolve("pids.current")), Math::max);
    } catch (java.io.IOException | RuntimeException gone) {
      // the agent has ended and its group is gone
    }
  }

  @Test
  void aCpuSpinnerUnderHalfACoreUsesAtMostAboutHalfACore() throws Exception {
    assumeKernelLimits("cpu");
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("spinner")
                  .command("/bin/sh", "-c", "while :; do :; done")
                  .limits(ResourceLimits.builder().cpus(0.5).build())
                  .build());
      Path acct = Cgroups.group(h, "cpuacct").orElseThrow();
      long startCpu = Cgroups.number(acct.resolve("cpuacct.usage"));
      long start = System.nanoTime();
      await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
      long cpu = Cgroups.number(acct.resolve("cpuacct.usage")) - startCpu;
      long wall = System.nanoTime() - start;
      h.kill();
      assertThat(h.waitFor(Duration.ofSeconds(30))).isPresent();

      double cores = (double) cpu / wall;
      assertThat(cores).as("cores used over %d ms", wall / 1_000_000).isLessThanOrEqualTo(0.55);
      assertThat(cores).as("the spinner ran").isGreaterThan(0.1);
    }
  }

  @Test
  void aRuntimeLimitStopsTheAgentWithItsStopSequenceAndIsReported() throws Exception {
    try (LocalProcessRunner runner =
        TestRunners.runner(TestRunners.config().shutdownTimeout(Duration.ofSeconds(2)))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("slow")
                  .command("/bin/sh", "-c", "trap 'echo got-term; exit 3' TERM; sleep 300 & wait")
                  .limits(ResourceLimits.builder().runtime(Duration.ofSeconds(2)).build())
                  .build());

      assertThat(h.waitFor(Duration.ofSeconds(30))).isPresent();
      assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
      AgentOutcome o = h.outcome().orElseThrow();
      assertThat(o.errorKind()).contains(ErrorKind.RUNTIME_LIMIT);
      assertThat(o.errorMessage().orElseThrow()).contains("runtime limit of 2 s");
      assertThat(h.readStdout()).map(String::new).contains("got-term\n");
    }
  }

  @Test
  void anOutputLimitStopsTheAgentPastIt() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("chatty")
                  .command("yes")
                  .limits(ResourceLimits.builder().outputBytesPerStream(1L << 20).build())
                  .build());

      assertThat(h.waitFor(Duration.ofSeconds(30))).isPresent();
      AgentOutcome o = h.outcome().orElseThrow();
      assertThat(o.errorKind()).contains(ErrorKind.OUTPUT_LIMIT);
      assertThat(o.errorMessage().orElseThrow()).contains("output limit of 1 MiB");
    }
  }

  @Test
  void runnerDefaultsApplyLimitByLimitUnderTheAgentsOwn() {
    ResourceLimits runner =
        ResourceLimits.builder().memoryBytes(1L << 30).runtime(Duration.ofMinutes(30)).build();
    ResourceLimits agent =
        ResourceLimits.builder().memoryBytes(ResourceLimits.parseSize("2g")).cpus(1.5).build();
    ResourceLimits both = agent.orElse(runner);
    assertThat(both.memoryBytes()).hasValue(2L << 30);
    assertThat(both.cpus()).hasValue(1.5);
    assertThat(both.runtime()).contains(Duration.ofMinutes(30));
    assertThat(ResourceLimits.parseSize("512m")).isEqualTo(512L << 20);
    assertThat(ResourceLimits.parseSize("1.5GiB")).isEqualTo(3L << 29);
    assertThatThrownBy(() -> ResourceLimits.parseSize("lots")).hasMessageContaining("512m");
    assertThatThrownBy(() -> ResourceLimits.builder().cpus(0).build())
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageContaining("limits.cpus");
  }

  @Test
  void aKernelLimitThatCannotBeEnforcedIsRefusedBeforeAnythingStarts() {
    try (LocalProcessRunner runner =
        TestRunners.runner(TestRunners.config().cgroupContainment(false))) {
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder()
                          .command("true")
                          .limits(ResourceLimits.builder().maxProcesses(10).build())
                          .build()))
          .isInstanceOf(AgentException.InvalidConfig.class)
          .hasMessageContaining("limits.pids");
    }
  }
}
