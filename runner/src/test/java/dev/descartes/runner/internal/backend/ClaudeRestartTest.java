package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.RestartPolicy;
import dev.descartes.runner.SupervisedAgent;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import dev.descartes.runner.testing.fakemodel.FakeModelServer;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real claude CLI under a restart policy, against the fake model server scripted to answer HTTP
 * 429: the restart waits for the limit's reset time when the message gives one, else backs off, and
 * the new run resumes the previous session. Claude's own retries are turned off ({@code
 * CLAUDE_CODE_MAX_RETRIES=0}) so that the 429 reaches the runner at once.
 */
@ExtendWith(LeakCheck.class)
class ClaudeRestartTest {

  private static final Duration AGENT_TIMEOUT = Duration.ofMinutes(6);

  @TempDir Path home;
  @TempDir Path work;
  private final FakeModelServer model = FakeModelServer.start(Reply.text("unused"));
  private final LocalProcessRunner runner =
      TestRunners.runner(TestRunners.config().allowListedEnvironment());

  @AfterEach
  void stop() {
    runner.close();
    model.close();
  }

  private AgentConfig.Builder config() {
    return CliSetup.CLAUDE.config(home, work, model);
  }

  private RestartPolicy policy() {
    return RestartPolicy.builder()
        .maxRestarts(2)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
        .maxRateLimitWait(Duration.ofMinutes(1))
        .build();
  }

  @Test
  void aRateLimitWithAResetTimeWaitsUntilThenAndTheRestartResumesTheSession() throws Exception {
    Instant reset = Instant.now().plusSeconds(3);
    AtomicInteger calls = new AtomicInteger();
    model.script(
        r ->
            calls.getAndIncrement() == 0
                ? new Reply.RateLimited(
                    "usage limit reached|" + reset.getEpochSecond(), 0, reset.getEpochSecond())
                : Reply.echo());
    List<SupervisedAgent.Restart> restarts = new CopyOnWriteArrayList<>();

    SupervisedAgent a =
        SupervisedAgent.start(
            runner,
            config()
                .task("remember the word tangerine")
                .env("CLAUDE_CODE_MAX_RETRIES", "0")
                .build(),
            policy());
    a.onRestart(restarts::add);
    SupervisedAgent.End end = a.onEnd().get(AGENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    assertThat(end.state()).as("end %s", end).isEqualTo(SupervisedAgent.State.COMPLETED);
    assertThat(restarts)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.rateLimited()).isTrue();
              assertThat(r.reason()).contains("429");
              assertThat(r.resumedSession())
                  .isEqualTo(a.runs().getFirst().outcome().orElseThrow().sessionId());
            });
    assertThat(a.runs().get(1).info().startedAt()).isAfterOrEqualTo(reset.minusMillis(1000));
    assertThat(a.runs().get(1).config().resumeSession())
        .isEqualTo(restarts.getFirst().resumedSession());
    assertThat(model.userTurns().getLast().body().toString())
        .contains("remember the word tangerine");
  }

  @Test
  void aRateLimitWithoutResetTimeBacksOffAndACrashLoopOfThemFails() throws Exception {
    model.script(Reply.rateLimited("slow down"));
    List<SupervisedAgent.Restart> restarts = new CopyOnWriteArrayList<>();

    SupervisedAgent a =
        SupervisedAgent.start(
            runner, config().task("hello").env("CLAUDE_CODE_MAX_RETRIES", "0").build(), policy());
    a.onRestart(restarts::add);
    SupervisedAgent.End end = a.onEnd().get(AGENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    assertThat(end.state()).isEqualTo(SupervisedAgent.State.FAILED);
    assertThat(end.reason()).startsWith("crash loop").contains("429");
    assertThat(restarts)
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.rateLimited()).isTrue();
              assertThat(r.delay()).isLessThanOrEqualTo(Duration.ofMillis(500));
            });
  }
}
