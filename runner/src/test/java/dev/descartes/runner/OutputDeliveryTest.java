package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each consumer chooses: every line (the agent waits for a slow consumer, nothing is dropped) or
 * the latest lines (a bounded window with gaps). A slow every-line consumer of one agent never
 * slows another agent, nor the latest-lines consumers of its own agent; memory stays bounded.
 */
@ExtendWith(LeakCheck.class)
class OutputDeliveryTest {

  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final int LINES = 300_000;

  @Test
  void aSlowEveryLineReaderGetsEveryLineWhileOtherAgentsRunFree() throws Exception {
    try (var runner =
        TestRunners.runner(
            TestRunners.config()
                .outputWindowBytes(256 * 1024)
                .maxLineBytes(64 * 1024)
                .pinnedHeadBytes(0))) {
      AgentOutput[] opened = new AgentOutput[1];
      AgentHandle held =
          runner.spawn(
              AgentConfig.builder().name("held").command(Scripts.shell("seq 1 " + LINES)).build(),
              WAIT,
              a -> opened[0] = a.stdout(OutputDelivery.EVERY_LINE));
      AgentOutput every = opened[0];
      AgentHandle free =
          runner.spawn(
              AgentConfig.builder().name("free").command(Scripts.shell("seq 1 " + LINES)).build());

      List<String> got = new ArrayList<>();
      Optional<OutputLine> l;
      // slow while the other agent runs: it must finish although this reader holds "held" back
      while (!free.onExit().isDone()) {
        l = every.poll(Duration.ofMillis(10));
        l.ifPresent(line -> got.add(line.text()));
        LockSupport.parkNanos(200_000);
      }
      assertThat(free.waitFor().success()).isTrue();
      assertThat(free.stdout().totalLines()).isEqualTo(LINES);
      assertThat(held.status()).as("held back by its reader").isEqualTo(AgentStatus.RUNNING);
      while ((l = every.poll(WAIT)).isPresent()) {
        got.add(l.get().text());
      }
      assertThat(every.isFinished()).isTrue();
      assertThat(every.missedLines()).isZero();
      assertThat(got).hasSize(LINES);
      for (int i = 0; i < LINES; i++) {
        assertThat(got.get(i)).isEqualTo(String.valueOf(i + 1));
      }
      assertThat(held.waitFor().success()).isTrue();
      // the handle's own reader is a latest-lines one: it was never held and lost the middle
      List<String> latest = new ArrayList<>();
      while ((l = held.stdout().poll()).isPresent()) {
        latest.add(l.get().text());
      }
      assertThat(held.stdout().missedLines()).isPositive();
      assertThat(latest.getLast()).isEqualTo(String.valueOf(LINES));
    }
  }

  @Test
  void anEveryLineEventIteratorAndListenerSeeEveryLineALatestListenerIsNeverWaitedFor()
      throws Exception {
    try (var runner =
        TestRunners.runner(
            TestRunners.config()
                .outputWindowBytes(128 * 1024)
                .maxLineBytes(64 * 1024)
                .pinnedHeadBytes(0))) {
      List<AgentEvent> latestSeen = new CopyOnWriteArrayList<>();
      AutoCloseable[] latest = new AutoCloseable[1];
      List<Iterator<AgentEvent>> opened = new CopyOnWriteArrayList<>();
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder().name("events").command(Scripts.shell("seq 1 " + LINES)).build(),
              WAIT,
              a -> {
                opened.add(a.events(OutputDelivery.EVERY_LINE).iterator());
                latest[0] =
                    a.onEvent(
                        e -> {
                          latestSeen.add(e);
                          LockSupport.parkNanos(1_000_000); // a listener far slower than the agent
                        },
                        OutputDelivery.LATEST);
              });
      Iterator<AgentEvent> it = opened.getFirst();
      long lines = 0;
      long gaps = 0;
      while (it.hasNext()) {
        AgentEvent e = it.next();
        if (e instanceof AgentEvent.RawLine r) {
          assertThat(r.text()).isEqualTo(String.valueOf(++lines));
        } else if (e instanceof AgentEvent.Gap) {
          gaps++;
        }
      }
      assertThat(lines).isEqualTo(LINES);
      assertThat(gaps).isZero();
      assertThat(h.status().isTerminal()).isTrue();
      // the slow latest-lines listener did not hold the agent: it is far behind, with gaps
      assertThat(latestSeen.size()).isLessThan(LINES);
      latest[0].close();
    }
  }

  @Test
  void transcriptsAndThePinnedHeadKeepWorkingWithEveryLineReaders(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    try (var runner =
        TestRunners.runner(
            TestRunners.config()
                .transcriptDir(dir)
                .outputWindowBytes(256 * 1024)
                .maxLineBytes(64 * 1024)
                .pinnedHeadBytes(4096))) {
      AgentOutput[] opened = new AgentOutput[1];
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("t")
                  .command(
                      Scripts.shell(
                          "echo '{\"type\":\"system\",\"session_id\":\"abc\"}'; seq 1 " + LINES))
                  .build(),
              WAIT,
              a -> opened[0] = a.stdout(OutputDelivery.EVERY_LINE));
      try (AgentOutput every = opened[0]) {
        long n = 0;
        while (every.poll(WAIT).isPresent()) {
          n++;
        }
        assertThat(n).isEqualTo(LINES + 1);
      }
      h.waitFor();
      assertThat(h.stdout().poll().orElseThrow().text()).contains("session_id"); // the pinned head
      Path transcript = h.stdout().transcript().orElseThrow();
      assertThat(Files.size(transcript)).isEqualTo(h.stdout().totalBytes());
    }
  }

  /**
   * An every-line reader opened after {@code spawn} returned, once the agent has written more than
   * the window, starts at the oldest line still held: the pinned head, one gap for exactly the
   * lines dropped before it existed, then every line of the window and everything after, in order.
   */
  @Test
  void aLateEveryLineReaderStartsAtTheOldestLineStillHeld() throws Exception {
    try (LocalProcessRunner runner =
        TestRunners.runner(
            TestRunners.config()
                .maxLineBytes(1024)
                .outputWindowBytes(32 * 1024)
                .pinnedHeadBytes(1024))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("late")
                  .command(Scripts.shell("seq 1 5000; read go; seq 5001 6000"))
                  .build());
      Optional<OutputLine> l;
      do {
        l = h.stdout().poll(WAIT);
      } while (l.isPresent() && !l.get().text().equals("5000"));
      assertThat(h.stdout().missedLines()).as("the window dropped lines").isPositive();

      try (AgentOutput late = h.stdout(OutputDelivery.EVERY_LINE)) {
        h.writeStdin("go\n".getBytes());
        List<Integer> got = new ArrayList<>();
        long missedAfterHead = -1;
        while ((l = late.poll(WAIT)).isPresent()) {
          int n = Integer.parseInt(l.get().text());
          if (!got.isEmpty() && n != got.getLast() + 1) {
            assertThat(missedAfterHead).as("one gap only, after the head").isEqualTo(-1);
            missedAfterHead = n - got.getLast() - 1;
          }
          got.add(n);
        }
        assertThat(late.isFinished()).isTrue();
        assertThat(got.getFirst()).as("the pinned head comes first").isEqualTo(1);
        assertThat(got.getLast()).isEqualTo(6000);
        assertThat(late.missedLines()).isEqualTo(missedAfterHead).isPositive();
        assertThat(got.size() + late.missedLines()).isEqualTo(6000);
        assertThat(got).as("the whole window, not just what came after opening").contains(4999);
      }
      assertThat(h.waitFor().success()).isTrue();
    }
  }

  @Test
  void aClosedEveryLineReaderNoLongerHoldsTheAgent() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("c")
                  .command(Scripts.shell("head -c 50000000 /dev/zero | tr '\\0' 'x' | fold -w 100"))
                  .build());
      AgentOutput every = h.stdout(OutputDelivery.EVERY_LINE);
      assertThat(every.poll(WAIT)).isPresent();
      every.close();
      assertThat(h.waitFor(WAIT)).isPresent();
      assertThat(h.stdout().totalBytes())
          .isEqualTo(50000000L + 499999L); // fold ends the last line without one
    }
  }

  /**
   * 200 agents each write 5 MB that nobody reads, in a runner JVM of 256 MiB: the budget bounds
   * every window together, so it neither runs out of memory nor loses count of a byte.
   */
  @Test
  void twoHundredUnreadFloodsFitASmallHeap() throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "-Ddescartes.engine=" + TestRunners.engine().name().toLowerCase(),
                FloodMain.class.getName()));
    Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(jvm.getInputStream().readAllBytes());
    assertThat(jvm.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(jvm.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("200 agents, " + 200L * (5_000_000 + 49_999) + " bytes read"); // fold's newlines
  }

  /** The runner JVM of {@link #twoHundredUnreadFloodsFitASmallHeap()}. */
  public static final class FloodMain {
    public static void main(String[] args) throws Exception {
      try (var runner =
          new LocalProcessRunner(TestRunners.config().enableHealthChecks(false).build())) {
        List<AgentHandle> hs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          hs.add(
              runner.spawn(
                  AgentConfig.builder()
                      .name("flood" + i)
                      .command(
                          Scripts.shell("head -c 5000000 /dev/zero | tr '\\0' 'x' | fold -w 100"))
                      .build()));
        }
        long bytes = 0;
        for (AgentHandle h : hs) {
          if (!h.waitFor().success()) {
            throw new AssertionError(h + " " + h.info());
          }
          bytes += h.stdout().totalBytes();
        }
        System.out.println(hs.size() + " agents, " + bytes + " bytes read");
      }
    }
  }
}
