package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentPool;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.PoolConfig;
import dev.descartes.runner.PooledAgent;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import dev.descartes.runner.testing.fakemodel.FakeModelServer;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool of real claude stream-json sessions against the fake model server: agents are ready (the
 * CLI answered its initialize request) before any lease, each lease answers its task, and a
 * released session is ended and replaced by a fresh one.
 */
@ExtendWith(LeakCheck.class)
class ClaudePoolTest {

  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path home;
  @TempDir Path work;

  @Test
  void leasedClaudeSessionsAnswerAtOnceAndReleasedOnesAreReplacedByFreshSessions()
      throws Exception {
    try (FakeModelServer model = FakeModelServer.start(Reply.echo());
        LocalProcessRunner runner =
            TestRunners.runner(TestRunners.config().allowListedEnvironment());
        AgentPool pool =
            AgentPool.create(
                runner,
                PoolConfig.builder(
                        CliSetup.CLAUDE.config(home, work, model).multiTurn(true).build())
                    .minWarm(2)
                    .maxAgents(3)
                    .readyTimeout(WAIT)
                    .build())) {
      await().atMost(WAIT).until(() -> pool.stats().ready() == 2);
      assertThat(model.userTurns()).as("readiness costs no model call").isEmpty();

      String firstSession;
      try (PooledAgent a = pool.lease()) {
        AgentEvent.Result r = a.send("hello pool").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.success()).isTrue();
        assertThat(r.text()).isEqualTo("echo: hello pool");
        firstSession = r.sessionId().orElseThrow();
      }
      try (PooledAgent b = pool.lease()) {
        AgentEvent.Result r = b.send("second lease").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.text()).isEqualTo("echo: second lease");
        assertThat(r.sessionId()).isPresent().get().isNotEqualTo(firstSession);
      }
      await().atMost(WAIT).until(() -> pool.stats().ready() == 2 && pool.stats().started() == 4);
    }
  }
}
