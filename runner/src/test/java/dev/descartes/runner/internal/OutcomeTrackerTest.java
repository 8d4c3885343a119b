package dev.descartes.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import dev.descartes.runner.ExitStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class OutcomeTrackerTest {

  private static final AgentId ID = AgentId.random();
  private static final Instant AT = Instant.EPOCH;

  private static AgentEvent.Usage usage(long in, long out, OptionalDouble cost) {
    return new AgentEvent.Usage(ID, AT, in, out, cost, JsonNodeFactory.instance.objectNode());
  }

  private static AgentEvent.Result result(boolean success, String text, int turns, String session) {
    return new AgentEvent.Result(
        ID,
        AT,
        success,
        text,
        success ? Optional.empty() : Optional.of(ErrorKind.API_ERROR),
        success ? Optional.empty() : Optional.of("quota"),
        OptionalInt.of(turns),
        Optional.ofNullable(session),
        JsonNodeFactory.instance.objectNode());
  }

  @Test
  void tokensAndCostAddUpOverEveryStepAndTheLastResultDecides() {
    OutcomeTracker t = new OutcomeTracker(true);
    t.accept(
        new AgentEvent.SessionStarted(
            ID, AT, "s-1", Optional.empty(), JsonNodeFactory.instance.objectNode()));
    t.accept(usage(10, 5, OptionalDouble.of(0.25)));
    t.accept(usage(20, 7, OptionalDouble.of(0.5)));
    t.accept(result(false, "first turn failed", 1, null));
    t.accept(result(true, "done", 2, "s-2"));
    AgentOutcome o = t.finish(ExitStatus.exited(0), false);
    assertThat(o.success()).isTrue();
    assertThat(o.resultText()).hasValue("done");
    assertThat(o.errorKind()).isEmpty();
    assertThat(o.inputTokens()).isEqualTo(30);
    assertThat(o.outputTokens()).isEqualTo(12);
    assertThat(o.costUsd()).hasValue(0.75);
    assertThat(o.turns()).hasValue(3);
    assertThat(o.sessionId()).as("the result's session id wins over the start's").hasValue("s-2");
  }

  @Test
  void aCliThatEndsWithoutAResultHasNoResultOrIsInterruptedWhenStopped() {
    OutcomeTracker t = new OutcomeTracker(true);
    assertThat(t.finish(ExitStatus.exited(0), false).errorKind()).hasValue(ErrorKind.NO_RESULT);
    assertThat(t.finish(ExitStatus.signalled(15), true).errorKind())
        .hasValue(ErrorKind.INTERRUPTED);
    assertThat(t.finish(ExitStatus.exited(0), false).success()).isFalse();
  }

  @Test
  void withoutResultLinesTheExitCodeDecides() {
    OutcomeTracker t = new OutcomeTracker(false);
    assertThat(t.finish(ExitStatus.exited(0), false).success()).isTrue();
    AgentOutcome failed = t.finish(ExitStatus.exited(3), false);
    assertThat(failed.success()).isFalse();
    assertThat(failed.errorKind()).hasValue(ErrorKind.EXECUTION_ERROR);
    assertThat(failed.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("exit"));
    assertThat(t.finish(ExitStatus.signalled(9), true).errorKind()).hasValue(ErrorKind.INTERRUPTED);
  }

  @Test
  void costIsUnknownWhenNoStepReportsOne() {
    OutcomeTracker t = new OutcomeTracker(true);
    t.accept(usage(1, 1, OptionalDouble.empty()));
    t.accept(result(true, "", 1, null));
    AgentOutcome o = t.finish(ExitStatus.exited(0), false);
    assertThat(o.costUsd()).isEmpty();
    assertThat(o.resultText()).as("an empty answer is no answer").isEmpty();
  }
}
