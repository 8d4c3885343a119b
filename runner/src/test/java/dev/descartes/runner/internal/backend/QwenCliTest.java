package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentSession;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real qwen CLI under the runner, against the fake model server: the contract of {@link
 * AgentCliContract}, and a multi-turn session over stream-json (qwen 0.24 ignores the interrupt
 * request, so its session refuses one).
 */
@ExtendWith(LeakCheck.class)
class QwenCliTest extends AgentCliContract {

  @Override
  CliSetup cli() {
    return CliSetup.QWEN;
  }

  @Test
  void multiTurnSessionAnswersEachMessageInTurn() throws Exception {
    model.script(r -> r.lastUserText().startsWith("message") ? Reply.echo() : Reply.text("noted"));
    AgentHandle h = runner.spawn(config().task("message one").multiTurn(true).build());
    AgentSession session = h.session().orElseThrow();

    AgentEvent.Result first =
        session.currentTurn().get(AGENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    AgentEvent.Result second =
        session.send("message two").get(AGENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThatThrownBy(session::interrupt).isInstanceOf(AgentException.Execution.class);
    session.end();
    awaitEnd(h);

    assertThat(first.text()).contains("echo: message one");
    assertThat(second.text()).contains("echo: message two");
    assertThat(second.sessionId()).isEqualTo(first.sessionId());
    assertThat(h.outcome().orElseThrow().success()).isTrue();
  }
}
