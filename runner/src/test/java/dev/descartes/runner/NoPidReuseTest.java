package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.os.Signaller;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The runner identifies a process by pid and start time, so a pid that was recycled for an
 * unrelated process is never signalled.
 */
class NoPidReuseTest {

  @Test
  void aProcessWithTheSamePidButAnotherStartTimeIsNotSignalled() throws Exception {
    Process unrelated = new ProcessBuilder("sleep", "300").start();
    try {
      long start = ProcFs.stat(unrelated.pid()).orElseThrow().startTicks();
      boolean sent = Signaller.send((int) unrelated.pid(), start - 1, 9);
      assertThat(sent).isFalse();
      assertThat(
              unrelated.waitFor(
                  Duration.ofMillis(200).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
          .isFalse();
      assertThat(unrelated.isAlive()).isTrue();
      assertThat(Signaller.send((int) unrelated.pid(), start, 9)).isTrue();
      assertThat(unrelated.waitFor()).isEqualTo(137);
    } finally {
      unrelated.destroyForcibly().waitFor();
    }
  }

  @Test
  void aProcessThatIsGoneIsNotSignalled() throws Exception {
    Process p = new ProcessBuilder("true").start();
    long pid = p.pid();
    p.waitFor();
    assertThat(Signaller.send((int) pid, 1, 9)).isFalse();
  }
}
