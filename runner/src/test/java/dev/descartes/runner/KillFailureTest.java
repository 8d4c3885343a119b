package dev.descartes.runner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.internal.cgroup.CgroupSupport;
import dev.descartes.runner.testing.Cgroups;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kill that cannot be carried out is an error, never a silent return: in a runner JVM that has
 * used up every file descriptor it may open, {@code kill()} throws {@link
 * AgentException.KillFailed} and the agent's status is {@link AgentStatus#KILL_FAILED}; once
 * descriptors are free again, a second kill works.
 */
@ExtendWith(LeakCheck.class)
class KillFailureTest {

  @Test
  void aKillAtTheDescriptorLimitThrowsAndTheStatusSaysSo() throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "-Ddescartes.engine=" + TestRunners.engine().name().toLowerCase(),
                ExhaustedMain.class.getName()));
    Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(jvm.getInputStream().readAllBytes());
    assertThat(jvm.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(out)
        .as(out)
        .contains("first kill: KillFailed")
        .contains("status after the failed kill: KILL_FAILED")
        .contains("second kill: TERMINATED");
    assertThat(jvm.exitValue()).as(out).isZero();
  }

  /**
   * A cgroup kill that leaves a process behind raises too: a process frozen in a freezer group made
   * below the agent's own (as an agent running as root can do) cannot die of its SIGKILL, and the
   * runner does not undo a freeze it did not make. When the frozen one is a tool of the agent, the
   * agent's own exit then moves the status on (see {@link AgentStatus#KILL_FAILED}); when it is the
   * agent itself, the status stays {@code KILL_FAILED}. Once thawed, the pending SIGKILL ends it.
   */
  @Test
  void aCgroupKillThatLeavesAFrozenProcessThrowsAndTheStatusSaysSo() throws Exception {
    assumeTrue(
        Cgroups.available() && CgroupSupport.detect().mode() == CgroupSupport.Mode.V1,
        "needs a writable cgroup v1 freezer");
    try (LocalProcessRunner runner = TestRunners.runner()) {
      for (boolean leaderToo : new boolean[] {false, true}) {
        AgentHandle h =
            runner.spawn(
                AgentConfig.builder()
                    .name("hider")
                    .command("/bin/sh", "-c", "sleep 300 & echo $!; wait")
                    .build());
        long member =
            Long.parseLong(
                new String(h.readStdout(Duration.ofSeconds(30)).orElseThrow(), UTF_8).trim());
        Path group = Cgroups.group(h, "freezer").orElseThrow();
        Path hide = Files.createDirectory(group.resolve("hide"));
        try {
          Files.writeString(hide.resolve("cgroup.procs"), Long.toString(member));
          if (leaderToo) {
            Files.writeString(hide.resolve("cgroup.procs"), Long.toString(h.pid()));
          }
          Files.writeString(hide.resolve("freezer.state"), "FROZEN");
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> Files.readString(hide.resolve("freezer.state")).trim().equals("FROZEN"));

          assertThatThrownBy(h::kill)
              .isInstanceOf(AgentException.KillFailed.class)
              .hasMessageContaining("still there")
              .hasMessageContaining(Long.toString(member));
          if (leaderToo) {
            assertThat(h.status()).isEqualTo(AgentStatus.KILL_FAILED);
          }
        } finally {
          Files.writeString(hide.resolve("freezer.state"), "THAWED");
        }
        h.waitFor();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> ProcessHandle.of(member).map(p -> !p.isAlive()).orElse(true));
        assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(group));
      }
    }
  }

  /** The runner JVM: spawns an agent, uses up its descriptors, kills, frees them, kills again. */
  public static final class ExhaustedMain {
    public static void main(String[] args) throws Exception {
      try (var runner =
          new LocalProcessRunner(
              TestRunners.config().enableHealthChecks(false).killOrphansOnExit(true).build())) {
        // a first agent, killed normally, loads every class the kill path needs
        AgentHandle warm =
            runner.spawn(AgentConfig.builder().name("warm").command("sleep", "300").build());
        warm.kill();
        warm.waitFor();
        new AgentException.KillFailed("preload").getMessage();
        AgentHandle h =
            runner.spawn(AgentConfig.builder().name("victim").command("sleep", "300").build());
        List<FileInputStream> hog = new ArrayList<>();
        String first;
        AgentStatus after;
        try {
          while (true) {
            hog.add(new FileInputStream("/dev/null"));
          }
        } catch (IOException exhausted) {
          // every descriptor is in use
        }
        try {
          h.kill();
          first = "returned";
        } catch (AgentException.KillFailed e) {
          first = "KillFailed";
        }
        after = h.status();
        for (FileInputStream f : hog) {
          f.close();
        }
        System.out.println("first kill: " + first);
        System.out.println("status after the failed kill: " + after);
        h.kill();
        h.waitFor();
        System.out.println("second kill: " + h.status());
      }
    }
  }
}
