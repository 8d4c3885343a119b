package dev.descartes.runner.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.AgentActivity;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.TemplateBackend;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cost budgets enforced by the runner's own accounting, with an agent that writes Claude-format
 * results whose total cost grows by $0.20 a turn (scripted usage events), then keeps working.
 */
@ExtendWith(LeakCheck.class)
class BudgetTest {

  @TempDir Path dir;

  /**
   * A backend running a script that reports turns costing $0.20 each, a turn every 100 ms, for 60
   * s.
   */
  private TemplateBackend spender() {
    Path script =
        Scripts.sh(
            dir,
            "spender.sh",
            """
        i=1
        while [ $i -le 600 ]; do
          echo "{\\"type\\":\\"result\\",\\"subtype\\":\\"success\\",\\"is_error\\":false,\\"result\\":\\"turn $i\\",\\"num_turns\\":$i,\\"session_id\\":\\"s1\\",\\"total_cost_usd\\":$(($i * 2))e-1}"
          i=$((i+1))
          sleep 0.1
        done
        """);
    return TemplateBackend.builder("spender")
        .command(script.toString(), "{task}")
        .eventFormat("claude")
        .build();
  }

  private static AgentConfig agent(String name) {
    return AgentConfig.builder().name(name).modelBackend("spender").task("spend").build();
  }

  @Test
  void anAgentPastItsBudgetIsStoppedAndItsOutcomeSaysBudget() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner(TestRunners.config().backend(spender()))) {
      AgentHandle h = runner.spawn(agent("spender").toBuilder().budgetUsd(0.5).build());

      h.waitFor(Duration.ofMinutes(1)).orElseThrow();

      AgentOutcome o = h.outcome().orElseThrow();
      assertThat(o.success()).isFalse();
      assertThat(o.errorKind()).contains(AgentOutcome.ErrorKind.BUDGET);
      assertThat(o.errorMessage())
          .hasValueSatisfying(
              m -> assertThat(m).startsWith("budget of $0.5000 reached: spent $0.6"));
      assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
      assertThat(h.info().activity()).isEqualTo(AgentActivity.ENDED);
    }
  }

  @Test
  void aFleetPastItsBudgetStopsEveryAgent() throws Exception {
    try (LocalProcessRunner runner =
        TestRunners.runner(TestRunners.config().backend(spender()).budgetUsd(1.0))) {
      AgentHandle a = runner.spawn(agent("a"));
      AgentHandle b = runner.spawn(agent("b"));

      a.waitFor(Duration.ofMinutes(1)).orElseThrow();
      b.waitFor(Duration.ofMinutes(1)).orElseThrow();

      for (AgentHandle h : new AgentHandle[] {a, b}) {
        assertThat(h.outcome().orElseThrow().errorKind()).contains(AgentOutcome.ErrorKind.BUDGET);
        assertThat(h.outcome().orElseThrow().errorMessage().orElseThrow())
            .startsWith("fleet budget of $1.0000 reached");
      }
    }
  }

  @Test
  void withoutABudgetTheAgentRunsOnAndIsBusyOrIdleBetweenResults() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner(TestRunners.config().backend(spender()))) {
      AgentHandle h = runner.spawn(agent("free"));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> h.info().activity() == AgentActivity.IDLE);
      assertThat(h.status()).isEqualTo(AgentStatus.RUNNING);
      h.stop(Duration.ofSeconds(5));
      assertThat(h.outcome().orElseThrow().errorKind())
          .isNotEqualTo(java.util.Optional.of(AgentOutcome.ErrorKind.BUDGET));
    }
  }
}
