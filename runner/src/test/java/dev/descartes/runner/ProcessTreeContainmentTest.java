package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every agent runs in its own session and process group, and kill, graceful shutdown and runner
 * shutdown leave nothing of its tree: not the children in its group, not a tool that started its
 * own session (as Claude Code's Bash tool does), not a zombie.
 */
@ExtendWith(LeakCheck.class)
class ProcessTreeContainmentTest {

  @TempDir Path dir;

  /**
   * A script that starts a child in its group and a grandchild in its own session, records their
   * pids, then waits.
   */
  private AgentConfig treeAgent(String name) {
    Path script =
        Scripts.sh(
            dir,
            name + ".sh",
            """
        sleep 300 &
        echo $! > "$1/group-child.pid"
        setsid sleep 300 &
        echo $! > "$1/own-session.pid"
        echo ready
        wait
        """);
    return AgentConfig.builder().name(name).command(script.toString(), dir.toString()).build();
  }

  /**
   * A script that ignores SIGTERM and starts a tool in its own session that ignores it too, records
   * the tool's pid in {@code $1/own-session.pid}, then waits.
   */
  private Path stubbornTree() {
    return Scripts.sh(
        dir,
        "stubborn.sh",
        """
        trap '' TERM
        setsid sh -c 'trap "" TERM; sleep 300' &
        echo $! > "$1/own-session.pid"
        echo ready
        while :; do sleep 1; done
        """);
  }

  private static void awaitReady(AgentHandle h) throws InterruptedException {
    assertThat(h.readStdout(Duration.ofSeconds(30))).map(String::new).contains("ready\n");
  }

  private List<Long> recordedPids() throws Exception {
    List<Long> pids = new ArrayList<>();
    for (String f : List.of("group-child.pid", "own-session.pid")) {
      pids.add(Long.parseLong(Files.readString(dir.resolve(f)).trim()));
    }
    return pids;
  }

  private static void assertGone(List<Long> pids) {
    for (long pid : pids) {
      assertThat(Path.of("/proc/" + pid))
          .as("process %d of the agent's tree (%s)", pid, sneakyStat(pid))
          .doesNotExist();
    }
  }

  private static String[] stat(long pid) throws Exception {
    String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return s.substring(s.lastIndexOf(')') + 2).split(" ");
  }

  @Test
  void agentLeadsItsOwnSessionAndProcessGroup() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("s").command("sleep", "300").build());
      String[] f = stat(h.pid());
      assertThat(Long.parseLong(f[2])).as("pgid").isEqualTo(h.pid());
      assertThat(Long.parseLong(f[3])).as("sid").isEqualTo(h.pid());
      h.kill();
      h.waitFor();
    }
  }

  @Test
  void killLeavesNoSurvivorIncludingAToolInItsOwnSession() throws Exception {
    checkStopLeavesNothing(AgentHandle::kill);
  }

  @Test
  void gracefulShutdownLeavesNoSurvivorIncludingAToolInItsOwnSession() throws Exception {
    checkStopLeavesNothing(h -> new GracefulShutdown(Duration.ofSeconds(5)).shutdown(h));
  }

  @Test
  void gracefulShutdownOfATermIgnoringTreeEscalatesToKill() throws Exception {
    Path script = stubbornTree();
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("stubborn")
                  .command(script.toString(), dir.toString())
                  .build());
      awaitReady(h);
      long escaped = Long.parseLong(Files.readString(dir.resolve("own-session.pid")).trim());
      ExitStatus st = new GracefulShutdown(Duration.ofMillis(300)).shutdown(h);
      assertThat(st.signal()).hasValue(9);
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
      assertGone(List.of(escaped));
    }
  }

  /**
   * The runner's shutdown sends the SIGKILLs of many agents from one loop and leaves the rest of
   * each tree to the agent's exit handling: a tool in its own session that ignores SIGTERM too is
   * killed all the same, and every agent ends with the SIGKILL.
   */
  @Test
  void runnerShutdownOfTermIgnoringTreesKillsEveryToolInThem() throws Exception {
    Path script = stubbornTree();
    List<AgentHandle> handles = new ArrayList<>();
    List<Long> escaped = new ArrayList<>();
    try (var runner = TestRunners.runner()) {
      for (int i = 0; i < 3; i++) {
        Path own = Files.createDirectories(dir.resolve("agent" + i));
        AgentHandle h =
            runner.spawn(
                AgentConfig.builder()
                    .name("stubborn" + i)
                    .command(script.toString(), own.toString())
                    .build());
        handles.add(h);
        awaitReady(h);
        escaped.add(Long.parseLong(Files.readString(own.resolve("own-session.pid")).trim()));
      }
      runner.shutdown(Duration.ofMillis(300));
      for (AgentHandle h : handles) {
        assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
        assertThat(h.waitFor(Duration.ZERO).orElseThrow().signal()).hasValue(9);
      }
      assertGone(escaped);
    }
  }

  @Test
  void runnerShutdownLeavesNoSurvivor() throws Exception {
    checkStopLeavesNothing(
        h -> {
          throw new IllegalStateException("unused");
        },
        true);
  }

  @Test
  void toolsLeftBehindByAnAgentThatExitsAreKilledAtItsExit() throws Exception {
    Path script =
        Scripts.sh(
            dir,
            "leaver.sh",
            """
        setsid sleep 300 &
        echo $! > "$1/own-session.pid"
        sleep 300 &
        echo $! > "$1/group-child.pid"
        exit 0
        """);
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("leaver")
                  .command(script.toString(), dir.toString())
                  .build());
      assertThat(h.waitFor().success()).isTrue();
      assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
      assertGone(recordedPids());
    }
  }

  @Test
  void anOrphanThatOutlivedItsParentIsStillFoundAndKilled() throws Exception {
    // The middle shell exits at once: its setsid'd child is re-parented away from the agent.
    Path script =
        Scripts.sh(
            dir,
            "orphaner.sh",
            """
        sh -c 'setsid sleep 300 & echo $! > "$1/own-session.pid"' _ "$1"
        echo ready
        sleep 300
        """);
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("orphaner")
                  .command(script.toString(), dir.toString())
                  .build());
      awaitReady(h);
      long orphan = Long.parseLong(Files.readString(dir.resolve("own-session.pid")).trim());
      assertThat(Path.of("/proc/" + orphan)).exists();
      h.kill();
      h.waitFor();
      assertGone(List.of(orphan));
    }
  }

  @Test
  void pauseStopsTheWholeTreeAndResumeContinuesIt() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(treeAgent("pausable"));
      awaitReady(h);
      List<Long> pids = recordedPids();
      h.signal(AgentSignal.PAUSE);
      assertThat(h.status()).isEqualTo(AgentStatus.PAUSED);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  stat(h.pid())[0].equals("T")
                      && pids.stream().allMatch(p -> sneakyState(p).equals("T")));
      h.signal(AgentSignal.RESUME);
      assertThat(h.status()).isEqualTo(AgentStatus.RUNNING);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  !stat(h.pid())[0].equals("T")
                      && pids.stream().noneMatch(p -> sneakyState(p).equals("T")));
      h.kill();
      h.waitFor();
      assertGone(pids);
    }
  }

  private static String sneakyStat(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/stat")).trim();
    } catch (Exception e) {
      return "gone";
    }
  }

  private static String sneakyState(long pid) {
    try {
      return stat(pid)[0];
    } catch (Exception e) {
      return "gone";
    }
  }

  private void checkStopLeavesNothing(Consumer<AgentHandle> stop) throws Exception {
    checkStopLeavesNothing(stop, false);
  }

  private void checkStopLeavesNothing(Consumer<AgentHandle> stop, boolean viaRunnerShutdown)
      throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(treeAgent("tree"));
      awaitReady(h);
      List<Long> pids = recordedPids();
      for (long pid : pids) {
        assertThat(Path.of("/proc/" + pid)).exists();
      }
      await("the tool's own session")
          .atMost(Duration.ofSeconds(10))
          .until(() -> Long.parseLong(stat(pids.get(1))[3]) == pids.get(1));
      if (viaRunnerShutdown) {
        runner.shutdown(Duration.ofSeconds(5));
      } else {
        stop.accept(h);
      }
      h.waitFor();
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
      assertGone(pids);
    }
  }
}
