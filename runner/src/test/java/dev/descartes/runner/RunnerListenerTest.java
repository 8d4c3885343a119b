package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A RunnerListener on the config hears of every spawn, failed spawn and exit. */
@ExtendWith(LeakCheck.class)
class RunnerListenerTest {

  @Test
  void theListenerHearsSpawnsWithTheirLatencyRefusedSpawnsAndExitsWithTheirOutcome()
      throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    RunnerListener listener =
        new RunnerListener() {
          @Override
          public void spawnStarted(AgentConfig config) {
            heard.add("starting " + config.name());
          }

          @Override
          public void spawned(AgentHandle agent, Duration latency) {
            assertThat(latency).isPositive();
            heard.add("spawned " + agent.config().name());
          }

          @Override
          public void spawnFailed(AgentConfig config, AgentException error) {
            heard.add("refused " + config.name() + " " + error.getClass().getSimpleName());
          }

          @Override
          public void exited(AgentInfo agent, Optional<AgentOutcome> outcome) {
            heard.add(
                "exited "
                    + agent.name()
                    + " "
                    + agent.status()
                    + " "
                    + outcome.map(AgentOutcome::success).orElse(null));
          }
        };
    try (var runner =
        TestRunners.runner(TestRunners.config().maxConcurrentAgents(1).listener(listener))) {
      AgentHandle a =
          runner.spawn(
              AgentConfig.builder().name("a").command("sh", "-c", "read x; exit 0").build());
      assertThatThrownBy(
              () -> runner.spawn(AgentConfig.builder().name("b").command("true").build()))
          .isInstanceOf(AgentException.LimitReached.class);
      a.closeStdin();
      a.waitFor();
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 5);
      assertThat(heard)
          .containsExactly(
              "starting a",
              "spawned a",
              "starting b",
              "refused b LimitReached",
              "exited a COMPLETED true");
    }
  }

  @Test
  void aSpawnWithABeforeOutputCallbackIsHeardToo() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    RunnerListener listener =
        new RunnerListener() {
          @Override
          public void spawned(AgentHandle agent, Duration latency) {
            heard.add("spawned " + agent.config().name());
          }

          @Override
          public void exited(AgentInfo agent, Optional<AgentOutcome> outcome) {
            heard.add("exited " + agent.name());
          }
        };
    try (var runner = TestRunners.runner(TestRunners.config().listener(listener))) {
      List<String> before = new CopyOnWriteArrayList<>();
      AgentHandle a =
          runner.spawn(
              AgentConfig.builder().name("c").command("true").build(),
              Duration.ZERO,
              h -> before.add(h.config().name()));
      a.waitFor();
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
      assertThat(before).containsExactly("c");
      assertThat(heard).containsExactly("spawned c", "exited c");
    }
  }

  @Test
  void theDefaultListenerIsNone() {
    assertThat(ProcessRunnerConfig.defaults().listener()).isSameAs(RunnerListener.NONE);
  }
}
