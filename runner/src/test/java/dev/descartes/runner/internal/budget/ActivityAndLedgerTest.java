package dev.descartes.runner.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.descartes.runner.AgentActivity;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.internal.activity.ActivityTracker;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Activity from scripted normalized events, and cost accounting from scripted usage events. */
class ActivityAndLedgerTest {

  private static final AgentId ID = AgentId.random();
  private static final Instant AT = Instant.EPOCH;
  private static final MissingNode RAW = MissingNode.getInstance();

  @Test
  void aSessionIsIdleBetweenTurnsBusyDuringOneAndWaitingWhileItAsksTheUser() throws Exception {
    ActivityTracker t = new ActivityTracker(true, true);
    assertThat(t.activity()).isEqualTo(AgentActivity.IDLE);

    t.messageSent();
    assertThat(t.activity()).isEqualTo(AgentActivity.BUSY);
    t.accept(new AgentEvent.ToolCall(ID, AT, "t1", "AskUserQuestion", RAW, RAW));
    assertThat(t.activity()).isEqualTo(AgentActivity.WAITING_FOR_INPUT);
    t.accept(new AgentEvent.AssistantText(ID, AT, "still waiting", false, RAW));
    assertThat(t.activity()).isEqualTo(AgentActivity.WAITING_FOR_INPUT);
    t.accept(new AgentEvent.ToolResult(ID, AT, "t1", "blue", false, RAW));
    assertThat(t.activity()).isEqualTo(AgentActivity.BUSY);
    t.accept(result());
    assertThat(t.activity()).isEqualTo(AgentActivity.IDLE);

    t.accept(
        new AgentEvent.Json(
            ID,
            AT,
            new ObjectMapper()
                .readTree(
                    "{\"type\":\"control_request\",\"request\":{\"subtype\":\"can_use_tool\"}}"),
            new byte[0]));
    assertThat(t.activity()).isEqualTo(AgentActivity.WAITING_FOR_INPUT);
    t.accept(new AgentEvent.Exited(ID, AT, ExitStatus.exited(0), AgentStatus.COMPLETED));
    assertThat(t.activity()).isEqualTo(AgentActivity.ENDED);
  }

  @Test
  void aOneShotAgentIsStartingThenBusyUntilItsResult() {
    ActivityTracker t = new ActivityTracker(true, false);
    assertThat(t.activity()).isEqualTo(AgentActivity.STARTING);
    t.accept(new AgentEvent.SessionStarted(ID, AT, "s", Optional.empty(), RAW));
    assertThat(t.activity()).isEqualTo(AgentActivity.BUSY);
    t.accept(result());
    assertThat(t.activity()).isEqualTo(AgentActivity.IDLE);

    ActivityTracker command = new ActivityTracker(false, false);
    command.accept(new AgentEvent.Started(ID, AT, 42));
    assertThat(command.activity()).isEqualTo(AgentActivity.BUSY);
  }

  @Test
  void theLedgerReportsTheAgentsBudgetFirstThenTheFleetsOnce() {
    CostLedger ledger = new CostLedger(OptionalDouble.of(1.0));
    AgentId a = AgentId.random();
    AgentId b = AgentId.random();

    assertThat(ledger.charge(a, OptionalDouble.of(0.5), 0.3)).isEmpty();
    assertThat(ledger.charge(a, OptionalDouble.of(0.5), 0.3))
        .hasValueSatisfying(
            o -> {
              assertThat(o.fleet()).isFalse();
              assertThat(o.message()).isEqualTo("budget of $0.5000 reached: spent $0.6000");
            });
    assertThat(ledger.charge(b, OptionalDouble.empty(), 0.3)).isEmpty();
    assertThat(ledger.charge(b, OptionalDouble.empty(), 0.2))
        .hasValueSatisfying(o -> assertThat(o.fleet()).isTrue());
    assertThat(ledger.charge(b, OptionalDouble.empty(), 0.2)).isEmpty();
    assertThat(ledger.fleetOver()).isTrue();
    assertThat(ledger.total()).isEqualTo(1.3, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ledger.charge(b, OptionalDouble.empty(), 0)).isEmpty();
  }

  private static AgentEvent.Result result() {
    return new AgentEvent.Result(
        ID,
        AT,
        true,
        "ok",
        Optional.empty(),
        Optional.empty(),
        OptionalInt.of(1),
        Optional.of("s"),
        RAW);
  }
}
