package dev.descartes.runner.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The window, every-line cursors and the runner-wide budget, on the log alone: an every-line cursor
 * is never skipped and turns backpressure on and off with hysteresis; latest-lines cursors still see
 * gaps; the budget bounds many logs together.
 */
class LineLogTest {

  private static byte[] line(long i) {
    return (i + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void anEveryLineCursorReadsEveryLineWhileTheWriterHonoursBackpressure() throws Exception {
    LineLog log = new LineLog(4096, 0);
    LineLog.Cursor every = log.newCursor(true);
    LineLog.Cursor latest = log.newCursor(false);
    AtomicInteger resumed = new AtomicInteger();
    long written = 0;
    List<Long> read = new ArrayList<>();
    int holds = 0;
    while (written < 200_000) {
      log.append(line(written++), true, 0);
      if (log.full()) {
        holds++;
        log.whenRoom(resumed::incrementAndGet);
        assertThat(resumed.get()).as("no room before the reader reads").isEqualTo(holds - 1);
        while (resumed.get() < holds) {
          LineLog.Read r = log.poll(every);
          assertThat(r).isInstanceOf(LineLog.Read.Line.class);
          read.add(Long.parseLong(new String(((LineLog.Read.Line) r).entry().bytes(), StandardCharsets.US_ASCII).strip()));
        }
      }
    }
    log.end();
    LineLog.Read r;
    while (!((r = log.poll(every)) instanceof LineLog.Read.End)) {
      read.add(Long.parseLong(new String(((LineLog.Read.Line) r).entry().bytes(), StandardCharsets.US_ASCII).strip()));
    }
    assertThat(read).hasSize(200_000);
    for (int i = 0; i < read.size(); i++) {
      assertThat(read.get(i)).isEqualTo(i);
    }
    assertThat(every.missedLines()).isZero();
    // hysteresis: one hold per half a backlog limit read, not one per line
    assertThat(holds).isLessThan((int) (1_400_000 / (log.backlogLimit() / 2)) + 2);
    // the latest-lines cursor was not held: it skipped
    long latestLines = 0;
    while (!((r = log.poll(latest)) instanceof LineLog.Read.End)) {
      if (r instanceof LineLog.Read.Line) {
        latestLines++;
      }
    }
    assertThat(latest.missedLines()).isPositive();
    assertThat(latest.missedLines() + latestLines).isEqualTo(200_000);
  }

  @Test
  void releasingTheLastEveryLineCursorGivesRoomAndLetsTheWindowDropAgain() {
    LineLog log = new LineLog(4096, 0);
    LineLog.Cursor every = log.newCursor(true);
    AtomicInteger resumed = new AtomicInteger();
    int i = 0;
    while (!log.full()) {
      log.append(line(i++), true, 0);
    }
    log.whenRoom(resumed::incrementAndGet);
    assertThat(log.retainedBytes()).isGreaterThan(4096);
    log.release(every);
    assertThat(resumed.get()).isEqualTo(1);
    assertThat(log.full()).isFalse();
    log.append(line(i), true, 0);
    assertThat(log.retainedBytes()).isLessThanOrEqualTo(4096);
  }

  @Test
  void theBudgetBoundsEveryWindowTogether() {
    OutputBudget budget = new OutputBudget(8 << 20);
    List<LineLog> logs = new ArrayList<>();
    byte[] hundred = "x".repeat(99).concat("\n").getBytes(StandardCharsets.US_ASCII);
    for (int n = 0; n < 200; n++) {
      LineLog log = new LineLog(8 << 20, 64 << 10, budget);
      logs.add(log);
      for (int k = 0; k < 20_000; k++) { // 2 MB each, 400 MB in all
        log.append(hundred, true, 0);
      }
      // within the budget, give or take the newest line each window always keeps
      assertThat(budget.used()).as("after log %d", n).isLessThanOrEqualTo((8 << 20) + (n + 1) * 200L);
    }
    assertThat(logs.stream().mapToLong(LineLog::retainedBytes).sum()).isEqualTo(budget.used());
    budget.unregister(logs.getFirst());
    assertThat(logs.getFirst().retainedBytes()).isZero();
    assertThat(logs.stream().mapToLong(LineLog::retainedBytes).sum()).isEqualTo(budget.used());
  }
}
