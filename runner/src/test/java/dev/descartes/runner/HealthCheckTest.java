package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Health checks, on one scheduler thread for all agents: liveness, a stopped process, time since
 * the last output, and the CPU time, memory and process count of each agent's tree.
 */
@ExtendWith(LeakCheck.class)
class HealthCheckTest {

  private static ProcessRunnerConfig.Builder fastChecks() {
    return TestRunners.config().healthCheckInterval(Duration.ofMillis(50));
  }

  @Test
  void aCheckReportsStateAndResourcesOfTheWholeTree() throws Exception {
    try (var runner = TestRunners.runner(fastChecks())) {
      // a busy loop (CPU time) with two sleeping children in its tree
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("busy")
                  .command(
                      Scripts.shell("sleep 300 & sleep 300 & echo started; while :; do :; done"))
                  .build());
      assertThat(h.readStdout(Duration.ofSeconds(30))).isPresent();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                AgentInfo info = h.info();
                assertThat(info.health().checkedAt()).isPresent();
                ResourceUsage r = info.metrics().resources().orElseThrow();
                assertThat(r.processCount()).isEqualTo(3);
                assertThat(r.cpuTime()).isPositive();
                assertThat(r.residentBytes()).isPositive();
                assertThat(info.health().state()).isIn(ProcessState.RUNNING, ProcessState.SLEEPING);
                assertThat(info.health().healthy()).isTrue();
              });
      h.kill();
      h.waitFor();
      assertThat(h.info().health().state()).isEqualTo(ProcessState.EXITED);
    }
  }

  @Test
  void aPausedAgentIsSeenStopped() throws Exception {
    try (var runner = TestRunners.runner(fastChecks())) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("p").command("sleep", "300").build());
      h.signal(AgentSignal.PAUSE);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> h.info().health().state() == ProcessState.STOPPED);
      assertThat(h.info().health().healthy()).isFalse();
      h.signal(AgentSignal.RESUME);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> h.info().health().state() == ProcessState.SLEEPING);
      h.kill();
      h.waitFor();
    }
  }

  @Test
  void timeSinceLastOutputAndTrafficAreTracked() throws Exception {
    try (var runner = TestRunners.runner(TestRunners.config().enableHealthChecks(false))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("quiet")
                  .command(Scripts.shell("echo one; echo two >&2; read x; echo $x"))
                  .build());
      assertThat(h.readStdout(Duration.ofSeconds(30))).isPresent();
      await().atMost(Duration.ofSeconds(30)).until(() -> h.info().metrics().stderrLines() == 1);
      AgentInfo info = h.info();
      Instant last = info.health().lastOutputAt().orElseThrow();
      assertThat(info.health().sinceLastOutput(info.startedAt(), last.plusSeconds(5)))
          .isEqualTo(Duration.ofSeconds(5));
      assertThat(info.metrics().stdoutLines()).isEqualTo(1);
      assertThat(info.metrics().resources()).isEmpty();
      h.writeStdin("three\n".getBytes());
      h.waitFor();
      assertThat(h.info().metrics().messagesSent()).isEqualTo(1);
      assertThat(h.info().metrics().messagesReceived()).isEqualTo(2);
      assertThat(h.info().metrics().uptime()).isPositive();
    }
  }

  @Test
  void oneSchedulerThreadServesEveryAgent() throws Exception {
    try (var runner = TestRunners.runner(fastChecks())) {
      for (int i = 0; i < 5; i++) {
        runner.spawn(AgentConfig.builder().name("s" + i).command("sleep", "300").build());
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> runner.listAgents().stream().allMatch(a -> a.health().checkedAt().isPresent()));
      // other tests' closed runners may still be ending their own scheduler thread
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Thread.getAllStackTraces().keySet().stream()
                          .filter(t -> t.getName().startsWith("descartes-health"))
                          .count()
                      == 1);
    }
  }
}
