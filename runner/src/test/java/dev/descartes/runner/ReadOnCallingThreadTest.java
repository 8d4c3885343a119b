package dev.descartes.runner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reader waiting in {@code readStdout} may read the pipe on its own thread (the native engine
 * does, for a platform thread, when nothing else consumes the stream): whichever thread reads, the
 * lines come whole, in order, none twice and none lost, the wait can be interrupted, and the end of
 * the stream ends the wait.
 */
@ExtendWith(LeakCheck.class)
class ReadOnCallingThreadTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * A runner with no listener: nothing of the user's runs on delivery, so the native engine may
   * deliver on its loop thread and read on a waiting reader's own thread.
   */
  private static LocalProcessRunner quietRunner() {
    return new LocalProcessRunner(TestRunners.config().build());
  }

  private static AgentHandle spawn(LocalProcessRunner runner, AgentConfig config) {
    AgentHandle h = runner.spawn(config);
    LeakCheck.recordAgent(h.id().toString());
    return h;
  }

  @Test
  void everyEchoedLineComesBackWholeAndInOrder() throws Exception {
    try (var runner = quietRunner()) {
      AgentHandle h = spawn(runner, AgentConfig.builder().name("echo").command("cat").build());
      for (int i = 0; i < 2_000; i++) {
        String line = "line " + i + " " + "x".repeat(i % 300) + "\n";
        h.writeStdin(line.getBytes(UTF_8));
        assertThat(h.readStdout(WAIT).map(b -> new String(b, UTF_8))).contains(line);
      }
      h.closeStdin();
      assertThat(h.waitFor().success()).isTrue();
    }
  }

  /**
   * After many answers read on the caller's thread, nobody reads: what the agent writes then, and
   * the end of its output, still reach the runner (the loop's watch was left armed).
   */
  @Test
  void outputAfterManyCallerReadsIsStillDeliveredWhenNobodyReads() throws Exception {
    try (var runner = quietRunner()) {
      AgentHandle h =
          spawn(
              runner,
              AgentConfig.builder()
                  .name("echo-then-bye")
                  .command("sh", "-c", "cat; echo bye")
                  .build());
      byte[] line = ("x".repeat(199) + "\n").getBytes(UTF_8);
      for (int i = 0; i < 20_000; i++) {
        h.writeStdin(line);
        assertThat(h.readStdout(WAIT)).isPresent();
      }
      h.closeStdin();
      assertThat(h.waitFor().success()).isTrue();
      assertThat(h.stdout().isFinished()).isFalse(); // "bye" is still to be read
      assertThat(h.readStdout(Duration.ZERO).map(b -> new String(b, UTF_8))).contains("bye\n");
      assertThat(h.stdout().isFinished()).isTrue();
    }
  }

  @Test
  void readersOnPlatformAndVirtualThreadsTogetherSeeEveryLineOnce() throws Exception {
    int count = 20_000;
    try (var runner = quietRunner()) {
      AgentHandle h =
          spawn(
              runner,
              AgentConfig.builder()
                  .name("counter")
                  .command("sh", "-c", "sleep 0.2; seq 1 " + count)
                  .build());
      List<List<Integer>> seen = new ArrayList<>();
      List<CompletableFuture<Void>> readers = new ArrayList<>();
      for (boolean virtual : new boolean[] {false, true, false}) {
        List<Integer> mine = new ArrayList<>();
        seen.add(mine);
        CompletableFuture<Void> done = new CompletableFuture<>();
        readers.add(done);
        (virtual ? Thread.ofVirtual() : Thread.ofPlatform())
            .start(
                () -> {
                  try {
                    while (true) {
                      var line = h.readStdout(WAIT);
                      if (line.isEmpty()) {
                        break;
                      }
                      mine.add(Integer.parseInt(new String(line.get(), UTF_8).trim()));
                    }
                    done.complete(null);
                  } catch (Throwable t) {
                    done.completeExceptionally(t);
                  }
                });
      }
      for (CompletableFuture<Void> r : readers) {
        r.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      List<Integer> all = new ArrayList<>();
      for (List<Integer> mine : seen) {
        assertThat(mine).isSorted();
        all.addAll(mine);
      }
      // readStdout keeps the latest lines: a slow reader may skip some, but none comes twice
      assertThat(all).doesNotHaveDuplicates();
      assertThat(all).contains(count);
      assertThat(h.waitFor().success()).isTrue();
    }
  }

  @Test
  void aReaderWaitingOnASilentAgentCanBeInterrupted() throws Exception {
    try (var runner = quietRunner()) {
      AgentHandle h =
          spawn(runner, AgentConfig.builder().name("silent").command("sleep", "300").build());
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      h.readStdout(WAIT);
                      outcome.complete(null);
                    } catch (Throwable t) {
                      outcome.complete(t);
                    }
                  });
      await().atMost(WAIT).until(() -> reader.getState() != Thread.State.NEW);
      reader.interrupt();
      assertThat(outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(InterruptedException.class);
      h.kill();
      h.waitFor();
    }
  }

  @Test
  void theEndOfTheStreamEndsAWaitingRead() throws Exception {
    try (var runner = quietRunner()) {
      AgentHandle h =
          spawn(
              runner, AgentConfig.builder().name("quiet").command("sh", "-c", "sleep 0.3").build());
      assertThat(h.readStdout(WAIT)).isEmpty();
      assertThat(h.waitFor().success()).isTrue();
      assertThatThrownBy(() -> h.writeStdin(new byte[] {'x', '\n'}))
          .isInstanceOf(AgentException.Communication.class);
    }
  }
}
