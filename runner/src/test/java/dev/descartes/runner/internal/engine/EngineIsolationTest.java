package dev.descartes.runner.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One agent's slow consumer or full stdin never holds up another agent, whatever the engine. */
@ExtendWith(LeakCheck.class)
class EngineIsolationTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aListenerThatBlocksOnOneAgentDoesNotDelayAnotherAgentsOutput() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocked = new CountDownLatch(1);
      AgentHandle stuck =
          runner.spawn(
              AgentConfig.builder().name("stuck").command("/bin/sh", "-c", "seq 1 200000").build());
      stuck.onEvent(
          e -> {
            if (e instanceof AgentEvent.RawLine) {
              blocked.countDown();
              awaitQuietly(release);
            }
          });
      blocked.await();
      AgentHandle free =
          runner.spawn(
              AgentConfig.builder().name("free").command("/bin/sh", "-c", "seq 1 20000").build());
      assertThat(free.waitFor(WAIT)).contains(ExitStatus.exited(0));
      assertThat(free.stdout().totalLines()).isEqualTo(20000);
      release.countDown();
      assertThat(stuck.waitFor(WAIT)).contains(ExitStatus.exited(0));
      assertThat(stuck.stdout().totalLines()).isEqualTo(200000);
    }
  }

  @Test
  void aWriterWaitingOnOneAgentsFullStdinDoesNotDelayAnotherAgent() throws Exception {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle deaf =
          runner.spawn(AgentConfig.builder().name("deaf").command("/bin/sleep", "600").build());
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      deaf.writeStdin(new byte[4 << 20]);
                    } catch (RuntimeException expected) {
                      // fails once the agent is killed
                    }
                  });
      AgentHandle echo =
          runner.spawn(AgentConfig.builder().name("echo").command("/bin/cat").build());
      echo.writeStdin("hello\n".getBytes(StandardCharsets.UTF_8));
      echo.closeStdin();
      assertThat(echo.waitFor(WAIT)).contains(ExitStatus.exited(0));
      assertThat(echo.stdout().poll(WAIT).orElseThrow().text()).isEqualTo("hello");
      assertThat(writer.isAlive()).isTrue();
      deaf.kill();
      assertThat(deaf.waitFor(WAIT)).contains(ExitStatus.signalled(9));
      assertThat(writer.join(WAIT)).isTrue();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
