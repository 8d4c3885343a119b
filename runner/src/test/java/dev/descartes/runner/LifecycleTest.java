package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class LifecycleTest {

  @Test
  void exitZeroOnItsOwnIsCompleted() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("ok").command("true").build());
      assertThat(h.waitFor()).isEqualTo(ExitStatus.exited(0));
      assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
    }
  }

  @Test
  void nonZeroExitOnItsOwnIsFailedWithTheCode() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("bad").command(Scripts.shell("exit 7")).build());
      ExitStatus st = h.waitFor();
      assertThat(st.code()).hasValue(7);
      assertThat(st.success()).isFalse();
      assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
    }
  }

  @Test
  void killedAgentIsTerminatedBySigkill() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("sleeper").command("sleep", "300").build());
      assertThat(h.status()).isEqualTo(AgentStatus.RUNNING);
      runner.kill(h.id());
      ExitStatus st = h.waitFor();
      assertThat(st.signal()).hasValue(9);
      assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    }
  }

  @Test
  void statusInfoAndRegistryAgreeTheMomentWaitForReturns() throws Exception {
    try (var runner = TestRunners.runner()) {
      for (int i = 0; i < 20; i++) {
        AgentHandle h =
            runner.spawn(
                AgentConfig.builder()
                    .name("a" + i)
                    .command(Scripts.shell("exit " + (i % 3)))
                    .build());
        ExitStatus st = h.waitFor();
        AgentStatus expected = i % 3 == 0 ? AgentStatus.COMPLETED : AgentStatus.FAILED;
        assertThat(h.status()).isEqualTo(expected);
        assertThat(h.info().status()).isEqualTo(expected);
        assertThat(h.info().exitStatus()).contains(st);
        assertThat(runner.getAgent(h.id()).orElseThrow().status()).isEqualTo(expected);
        assertThat(h.onExit()).isCompletedWithValue(st);
      }
    }
  }

  @Test
  void onExitCompletesWithTheFinalStatusWithoutAnyoneWaiting() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("x").command(Scripts.shell("exit 3")).build());
      List<AgentStatus> seen = new CopyOnWriteArrayList<>();
      ExitStatus st =
          h.onExit()
              .thenApply(
                  s -> {
                    seen.add(h.status());
                    return s;
                  })
              .get();
      assertThat(st.code()).hasValue(3);
      assertThat(seen).containsExactly(AgentStatus.FAILED);
    }
  }

  @Test
  void terminalStatusIsSetExactlyOnceWhenThreadsRaceToKillSignalAndWait() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (var runner = TestRunners.runner()) {
      for (int round = 0; round < 10; round++) {
        AgentHandle h =
            runner.spawn(AgentConfig.builder().name("race").command("sleep", "300").build());
        List<AgentEvent> exits = new CopyOnWriteArrayList<>();
        h.onEvent(
            e -> {
              if (e instanceof AgentEvent.Exited) {
                exits.add(e);
              }
            });
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int kind = t % 4;
          tasks.add(
              pool.submit(
                  () -> {
                    go.await();
                    switch (kind) {
                      case 0 -> h.kill();
                      case 1 -> h.signal(AgentSignal.TERMINATE);
                      case 2 -> h.signal(AgentSignal.INTERRUPT);
                      default -> h.waitFor();
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : tasks) {
          f.get();
        }
        h.waitFor();
        AgentStatus first = h.status();
        assertThat(first).isEqualTo(AgentStatus.TERMINATED);
        assertThat(exits).hasSize(1);
        h.kill();
        h.signal(AgentSignal.TERMINATE);
        assertThat(h.status()).isEqualTo(first);
        assertThat(exits).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void removeForgetsOnlyFinishedAgents() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle live =
          runner.spawn(AgentConfig.builder().name("live").command("sleep", "300").build());
      AgentHandle done = runner.spawn(AgentConfig.builder().name("done").command("true").build());
      done.waitFor();
      assertThat(runner.listAgents()).extracting(AgentInfo::name).containsExactly("live", "done");
      assertThat(runner.remove(done.id())).isTrue();
      assertThat(runner.remove(done.id())).isFalse();
      assertThat(runner.getAgent(done.id())).isEmpty();
      assertThat(done.status()).isEqualTo(AgentStatus.COMPLETED);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.remove(live.id()))
          .isInstanceOf(AgentException.Execution.class)
          .hasMessageContaining("stop it");
      live.kill();
      live.waitFor();
      assertThat(runner.remove(live.id())).isTrue();
      assertThat(runner.listAgents()).isEmpty();
    }
  }

  @Test
  void waitForWithTimeoutReturnsEmptyWhileRunning() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("s").command("sleep", "300").build());
      assertThat(h.waitFor(Duration.ofMillis(50))).isEmpty();
      h.kill();
      assertThat(h.waitFor(Duration.ofSeconds(30))).isPresent();
    }
  }

  @Test
  void closeStopsEveryAgentAndRefusesNewOnes() throws Exception {
    var runner = TestRunners.runner(TestRunners.config().shutdownTimeout(Duration.ofMillis(200)));
    AgentHandle a = runner.spawn(AgentConfig.builder().name("a").command("sleep", "300").build());
    AgentHandle b =
        runner.spawn(
            AgentConfig.builder()
                .name("b")
                .command(Scripts.shell("trap '' TERM; sleep 300"))
                .build());
    runner.close();
    assertThat(a.status()).isEqualTo(AgentStatus.TERMINATED);
    assertThat(b.status()).isEqualTo(AgentStatus.TERMINATED);
    runner.close(); // idempotent
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> runner.spawn(AgentConfig.builder().name("c").command("true").build()))
        .isInstanceOf(AgentException.Execution.class)
        .hasMessageContaining("closed");
  }
}
