package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** maxConcurrentAgents caps live agents; finished agents do not count. */
@ExtendWith(LeakCheck.class)
class ConcurrencyCapTest {

  private static AgentConfig sleeper(String name) {
    return AgentConfig.builder().name(name).command("sleep", "300").build();
  }

  @Test
  void aSpawnBeyondTheCapFailsAtOnceNamingTheCap() throws Exception {
    try (var runner = TestRunners.runner(TestRunners.config().maxConcurrentAgents(2))) {
      runner.spawn(sleeper("a"));
      runner.spawn(sleeper("b"));
      assertThatThrownBy(() -> runner.spawn(sleeper("c")))
          .isInstanceOfSatisfying(
              AgentException.LimitReached.class,
              e -> {
                assertThat(e.limit()).isEqualTo(2);
                assertThat(e.getMessage())
                    .contains("2 concurrent agents", "maxConcurrentAgents", "waitForSlot");
              });
      assertThat(runner.listAgents()).hasSize(2);
    }
  }

  @Test
  void finishedAgentsDoNotCount() throws Exception {
    try (var runner = TestRunners.runner(TestRunners.config().maxConcurrentAgents(1))) {
      for (int i = 0; i < 5; i++) {
        AgentHandle h = runner.spawn(AgentConfig.builder().name("t" + i).command("true").build());
        h.waitFor();
      }
      AgentHandle s = runner.spawn(sleeper("s"));
      s.kill();
      s.waitFor();
      runner.spawn(sleeper("again")).kill();
      assertThat(runner.listAgents()).hasSize(7);
    }
  }

  @Test
  void aSpawnCanWaitForASlotToFreeUp() throws Exception {
    try (var runner = TestRunners.runner(TestRunners.config().maxConcurrentAgents(1))) {
      AgentHandle first = runner.spawn(sleeper("first"));
      CompletableFuture<AgentHandle> waiting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return runner.spawn(sleeper("second"), Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(waiting).isNotDone();
      first.kill();
      AgentHandle second = waiting.get();
      assertThat(second.status()).isEqualTo(AgentStatus.RUNNING);
      second.kill();
      second.waitFor();
    }
  }

  @Test
  void waitingForASlotGivesUpAfterTheTimeout() throws Exception {
    try (var runner = TestRunners.runner(TestRunners.config().maxConcurrentAgents(1))) {
      runner.spawn(sleeper("only"));
      assertThatThrownBy(() -> runner.spawn(sleeper("late"), Duration.ofMillis(100)))
          .isInstanceOf(AgentException.LimitReached.class)
          .hasMessageContaining("PT0.1S");
    }
  }

  @Test
  void aFailedSpawnGivesItsSlotBack() throws Exception {
    try (var runner = TestRunners.runner(TestRunners.config().maxConcurrentAgents(1))) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(
                () ->
                    runner.spawn(
                        AgentConfig.builder().name("x").command("/nonexistent/agent").build()))
            .isInstanceOf(AgentException.SpawnFailed.class);
      }
      runner.spawn(sleeper("fits")).kill();
    }
  }
}
