package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentSession;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real claude CLI under the runner, against the fake model server: the contract of {@link
 * AgentCliContract}, and sessions: multi-turn over stream-json, interrupting a turn while the
 * session lives on, resuming a session by id, and prompts no argument could carry.
 */
@ExtendWith(LeakCheck.class)
class ClaudeCliTest extends AgentCliContract {

  private static final long TURN_SECONDS = AGENT_TIMEOUT.toSeconds();

  @Override
  CliSetup cli() {
    return CliSetup.CLAUDE;
  }

  @Test
  void multiTurnSessionAnswersEachMessageInTurnAndEndsWhenClosed() throws Exception {
    model.script(Reply.echo());
    AgentHandle h = runner.spawn(config().task("first message").multiTurn(true).build());
    AgentSession session = h.session().orElseThrow();

    AgentEvent.Result first = session.currentTurn().get(TURN_SECONDS, TimeUnit.SECONDS);
    AgentEvent.Result second = session.send("second message").get(TURN_SECONDS, TimeUnit.SECONDS);
    session.end();
    awaitEnd(h);

    assertThat(first.success()).isTrue();
    assertThat(first.text()).isEqualTo("echo: first message");
    assertThat(second.success()).isTrue();
    assertThat(second.text()).isEqualTo("echo: second message");
    assertThat(second.sessionId()).isEqualTo(first.sessionId()).isEqualTo(session.sessionId());
    assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
    AgentOutcome outcome = h.outcome().orElseThrow();
    assertThat(outcome.success()).isTrue();
    assertThat(outcome.resultText()).contains("echo: second message");
    assertThat(outcome.turns()).hasValue(2);
    assertThat(outcome.sessionId()).isEqualTo(session.sessionId());
    assertThatThrownBy(() -> session.send("too late"))
        .isInstanceOf(AgentException.Communication.class);
  }

  @Test
  void interruptCancelsTheRunningTurnAndItsToolButKeepsTheSession() throws Exception {
    model.script(
        r ->
            r.lastUserText().contains("long job")
                ? Reply.shell("echo started > " + marker() + "; sleep 300; echo finished")
                : Reply.echo());
    AgentHandle h =
        runner.spawn(config().task("Run the long job.").multiTurn(true).autoApprove(true).build());
    AgentSession session = h.session().orElseThrow();
    long toolPid = awaitToolProcess(h);

    session.interrupt();

    AgentEvent.Result interrupted = session.currentTurn().get(TURN_SECONDS, TimeUnit.SECONDS);
    assertThat(interrupted.success()).isFalse();
    assertThat(interrupted.errorKind()).contains(AgentOutcome.ErrorKind.INTERRUPTED);
    await().atMost(Duration.ofSeconds(30)).until(() -> gone(toolPid));
    assertThat(h.status()).isEqualTo(AgentStatus.RUNNING);

    AgentEvent.Result next =
        session.send("are you still there?").get(TURN_SECONDS, TimeUnit.SECONDS);
    assertThat(next.success()).isTrue();
    assertThat(next.text()).isEqualTo("echo: are you still there?");
    assertThat(next.sessionId()).isEqualTo(interrupted.sessionId());
    session.end();
    awaitEnd(h);
    assertThat(h.outcome().orElseThrow().success()).isTrue();
  }

  @Test
  void resumeContinuesAPreviousSessionById() throws Exception {
    model.script(Reply.echo());
    AgentHandle first = runner.spawn(config().task("remember the word tangerine").build());
    awaitEnd(first);
    String sessionId = first.outcome().orElseThrow().sessionId().orElseThrow();

    AgentHandle second =
        runner.spawn(config().task("what was the word?").resumeSession(sessionId).build());
    awaitEnd(second);

    AgentOutcome outcome = second.outcome().orElseThrow();
    assertThat(outcome.success()).as("outcome %s; stderr %s", outcome, stderr(second)).isTrue();
    assertThat(outcome.sessionId()).contains(sessionId);
    String resumedRequest = model.userTurns().getLast().body().toString();
    assertThat(resumedRequest)
        .contains("remember the word tangerine")
        .contains("what was the word?");
  }

  @Test
  void aOneMegabyteContextAndATaskStartingWithADashReachTheModelIntact() throws Exception {
    model.script(Reply.text("got it"));
    String context =
        "0123456789abcdef\n".repeat(64 * 1024); // 1 MiB + 64 KiB, far over one argument's 128 KiB
    AgentHandle h =
        runner.spawn(config().task("--version is not a flag here").context(context).build());

    awaitEnd(h);

    assertThat(h.outcome().orElseThrow().success()).as("stderr %s", stderr(h)).isTrue();
    String request = model.userTurns().getLast().body().toString();
    assertThat(request).contains("--version is not a flag here");
    assertThat(request.length()).isGreaterThan(context.length());
  }

  @Test
  void aLargeSystemPromptTravelsWithThePromptInsteadOfAnArgument() throws Exception {
    model.script(Reply.text("ok"));
    String system = "Always answer in French. ".repeat(8 * 1024); // 200 KiB
    AgentHandle h = runner.spawn(config().task("hello").systemPrompt(system).build());

    awaitEnd(h);

    assertThat(h.outcome().orElseThrow().success()).isTrue();
    List<String> bodies = model.userTurns().stream().map(r -> r.body().toString()).toList();
    assertThat(bodies).anySatisfy(b -> assertThat(b).contains("Always answer in French."));
    assertThat(Files.exists(work)).isTrue();
  }
}
