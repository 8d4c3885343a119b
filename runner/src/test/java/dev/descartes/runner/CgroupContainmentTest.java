package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.testing.Cgroups;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a cgroup per agent, membership of its tree is the kernel's: a process cannot leave by
 * dropping the runner's cookie from its environment, starting its own session, double-forking, or
 * re-forking itself every millisecond so that its pid keeps changing. And a pid that was recycled
 * after an agent ended is never signalled through the old handle or by the exit sweep.
 */
@ExtendWith(LeakCheck.class)
class CgroupContainmentTest {

  @TempDir Path dir;
  private final String marker = "mark-" + UUID.randomUUID();

  @BeforeEach
  void needsCgroups() {
    assumeTrue(Cgroups.available(), "this machine gives agents no cgroup (see descartes doctor)");
  }

  @Test
  void killLeavesNoEscapeeOfTheAgentsCgroup() throws Exception {
    Path reforker =
        Scripts.sh(
            dir,
            "reforker.sh",
            """
        sleep 0.001
        setsid env -u DESCARTES_AGENT_ID "$0" "$1" &
        exit 0
        """);
    Path agent =
        Scripts.sh(
            dir,
            "agent.sh",
            """
        setsid env -u DESCARTES_AGENT_ID sh -c 'sleep 300; : %1$s' &
        ( ( setsid sh -c 'sleep 300; : %1$s' & ) & )
        env -u DESCARTES_AGENT_ID %2$s %1$s &
        echo ready
        wait
        """
                .formatted(marker, reforker));
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("escapees").command(agent.toString()).build());
      assertThat(h.readStdout(Duration.ofSeconds(30))).map(String::new).contains("ready\n");
      Path group = Cgroups.group(h, "").orElseThrow();
      await().atMost(Duration.ofSeconds(20)).until(() -> Cgroups.marked(marker).size() >= 3);

      h.kill();

      assertThat(Cgroups.marked(marker)).as("processes of the tree alive after kill()").isEmpty();
      assertThat(h.waitFor(Duration.ofSeconds(10))).isPresent();
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
      await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(group));
    }
  }

  @Test
  void theExitSweepKillsWhatIsLeftInTheCgroupAndRemovesIt() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("leaves-a-daemon")
                  .command(
                      "/bin/sh",
                      "-c",
                      "setsid env -u DESCARTES_AGENT_ID sh -c 'sleep 300; : "
                          + marker
                          + "' & echo started")
                  .build());
      assertThat(h.waitFor(Duration.ofSeconds(30))).isPresent();
      assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
      assertThat(Cgroups.marked(marker)).isEmpty();
      await().atMost(Duration.ofSeconds(5)).until(() -> Cgroups.group(h, "").isEmpty());
    }
  }

  @Test
  void anImpostorOnAReusedPidSurvivesKillOnTheOldHandleAndTheExitSweep() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle gone = runner.spawn(AgentConfig.builder().name("short").command("true").build());
      assertThat(gone.waitFor(Duration.ofSeconds(30))).isPresent();
      long pid = gone.pid();
      Process impostor = takePid(pid);
      assumeTrue(impostor != null, "could not make the kernel reuse pid " + pid + " (ns_last_pid)");
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> ProcFs.stat(pid).map(s -> s.sid() == pid && s.pgid() == pid).orElse(false));

        gone.kill();
        gone.signal(AgentSignal.TERMINATE);
        AgentHandle other =
            runner.spawn(AgentConfig.builder().name("sweeps").command("true").build());
        assertThat(other.waitFor(Duration.ofSeconds(30))).isPresent();

        assertThat(impostor.isAlive()).as("the process that took pid %d", pid).isTrue();
      } finally {
        impostor.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * A process outside the runner, leading its own session, on {@code pid}; null if the kernel would
   * not.
   */
  private static Process takePid(long pid) throws IOException, InterruptedException {
    Path last = Path.of("/proc/sys/kernel/ns_last_pid");
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        Files.writeString(last, Long.toString(pid - 1));
      } catch (IOException e) {
        return null; // needs CAP_SYS_ADMIN
      }
      Process p = new ProcessBuilder("setsid", "sleep", "300").start();
      if (p.pid() == pid) {
        return p;
      }
      p.destroyForcibly().waitFor();
    }
    return null;
  }
}
