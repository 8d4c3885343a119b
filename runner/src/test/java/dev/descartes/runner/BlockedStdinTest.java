package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write blocked on an agent's full stdin never blocks anything else: {@code closeStdin()}
 * returns, and an agent that exits while the write is blocked (an escaped process holding its stdin
 * open, so the write gets no EPIPE) still ends, with {@code waitFor()} returning and {@code Exited}
 * sent.
 */
@ExtendWith(LeakCheck.class)
class BlockedStdinTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final byte[] MEGABYTE = new byte[1 << 20];

  @Test
  void closeStdinReturnsWhileAnotherThreadsWriteIsBlocked() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("deaf").command("sleep", "300").build());
      CompletableFuture<Void> write = new CompletableFuture<>();
      Thread writer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      h.writeStdin(MEGABYTE); // a 64 KiB pipe nobody reads cannot take it
                      write.complete(null);
                    } catch (RuntimeException e) {
                      write.completeExceptionally(e);
                    }
                  });
      await().atMost(WAIT).until(() -> blockedInWrite(writer));
      CompletableFuture<Void> close =
          CompletableFuture.runAsync(h::closeStdin, r -> Thread.ofPlatform().start(r));
      close.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(h.isStdinOpen()).isFalse();
      h.kill();
      h.waitFor();
      await().atMost(WAIT).until(write::isDone); // the reader is gone: the write fails
      assertThat(write).isCompletedExceptionally();
    }
  }

  @Test
  void anAgentThatExitsWhileAWriteIsBlockedStillEnds(@TempDir Path dir) throws Exception {
    try (var runner = TestRunners.runner()) {
      // the escapee keeps stdin open and never reads; it drops the runner's cookie and its session,
      // so that nothing of today's tree tracking finds it; it prints its pid for the cleanup below.
      // The agent exits only once the escapee has announced itself: the exit sweep of a contained
      // agent kills the escapee, and could otherwise do so before it printed its pid.
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("leaves")
                  .workingDir(dir)
                  .command(
                      Scripts.shell(
                          "env -u DESCARTES_AGENT_ID setsid sh -c 'echo escapee $$; : > announced; exec sleep 300' >&2 & "
                              + "until [ -e announced ]; do sleep 0.01; done; read line; exit 0"))
                  .build());
      long escapee = -1;
      try {
        CompletableFuture<Void> write =
            CompletableFuture.runAsync(
                () -> {
                  h.writeStdin("go\n".getBytes());
                  h.writeStdin(MEGABYTE);
                },
                r -> Thread.ofPlatform().start(r));
        await().atMost(WAIT).until(() -> h.stderr().totalLines() > 0);
        escapee =
            Long.parseLong(
                h.stderr().poll(WAIT).orElseThrow().text().replace("escapee ", "").strip());
        ExitStatus st =
            h.waitFor(WAIT).orElseThrow(() -> new AssertionError("waitFor did not return"));
        assertThat(st.success()).isTrue();
        assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
        ProcessHandle.of(escapee).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(WAIT).until(write::isDone);
      } finally {
        if (escapee > 0) {
          ProcessHandle.of(escapee).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
  }

  /**
   * Whether {@code t} is inside a write that waits for room: parked, or in the JDK's native write.
   */
  private static boolean blockedInWrite(Thread t) {
    Thread.State st = t.getState();
    if (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) {
      return true;
    }
    for (StackTraceElement f : t.getStackTrace()) {
      if (f.getMethodName().equals("writeBytes")) {
        return true;
      }
    }
    return false;
  }
}
