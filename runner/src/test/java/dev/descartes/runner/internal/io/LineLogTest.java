package dev.descartes.runner.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LineLogTest {

  private static byte[] line(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String text(LineLog.Read r) {
    assertThat(r).isInstanceOf(LineLog.Read.Line.class);
    return new String(((LineLog.Read.Line) r).entry().bytes(), StandardCharsets.UTF_8).strip();
  }

  @Test
  void aCursorReadsEveryLineInOrderThenTheEnd() {
    LineLog log = new LineLog(1 << 20, 0);
    LineLog.Cursor c = log.newCursor();
    log.append(line("a"), true, 1);
    log.append(line("b"), true, 2);
    assertThat(text(log.poll(c))).isEqualTo("a");
    assertThat(text(log.poll(c))).isEqualTo("b");
    assertThat(log.poll(c)).isInstanceOf(LineLog.Read.None.class);
    log.end();
    assertThat(log.poll(c)).isInstanceOf(LineLog.Read.End.class);
    assertThat(log.finished(c)).isTrue();
    assertThat(log.lines()).isEqualTo(2);
  }

  @Test
  void cursorsAreIndependent() {
    LineLog log = new LineLog(1 << 20, 0);
    log.append(line("a"), true, 1);
    LineLog.Cursor first = log.newCursor();
    LineLog.Cursor second = log.newCursor();
    assertThat(text(log.poll(first))).isEqualTo("a");
    assertThat(text(log.poll(second))).isEqualTo("a");
  }

  @Test
  void aFullWindowDropsTheOldestLinesAndALateReaderGetsTheExactGap() {
    // Each line costs its bytes plus the per-line overhead; room for three of them.
    long perLine = 2 + LineLog.ENTRY_OVERHEAD;
    LineLog log = new LineLog(3 * perLine, 0);
    for (int i = 0; i < 10; i++) {
      log.append(line(Integer.toString(i)), true, i);
    }
    LineLog.Cursor c = log.newCursor();
    LineLog.Read gap = log.poll(c);
    assertThat(gap).isEqualTo(new LineLog.Read.Gap(7, 14));
    assertThat(c.missedLines()).isEqualTo(7);
    assertThat(c.missedBytes()).isEqualTo(14);
    assertThat(text(log.poll(c))).isEqualTo("7");
    assertThat(text(log.poll(c))).isEqualTo("8");
    assertThat(text(log.poll(c))).isEqualTo("9");
  }

  @Test
  void thePinnedHeadSurvivesAWindowThatOverflows() {
    long perLine = 2 + LineLog.ENTRY_OVERHEAD;
    LineLog log = new LineLog(4 * perLine, perLine);
    for (int i = 0; i < 10; i++) {
      log.append(line(Integer.toString(i)), true, i);
    }
    LineLog.Cursor c = log.newCursor();
    assertThat(text(log.poll(c))).as("the pinned first line").isEqualTo("0");
    assertThat(log.poll(c)).isInstanceOf(LineLog.Read.Gap.class);
    assertThat(text(log.poll(c))).isEqualTo("7");
  }

  @Test
  void theNewestLineIsKeptEvenWhenItAloneExceedsTheWindow() {
    LineLog log = new LineLog(10, 0);
    log.append(line("x".repeat(100)), true, 1);
    LineLog.Cursor c = log.newCursor();
    assertThat(text(log.poll(c))).hasSize(100);
  }

  @Test
  void aTimedPollWithNothingToReadReturnsNone() throws InterruptedException {
    LineLog log = new LineLog(1 << 20, 0);
    assertThat(log.poll(log.newCursor(), Duration.ZERO)).isInstanceOf(LineLog.Read.None.class);
  }
}
