package dev.descartes.runner.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The log alone: cursors, the window, the pinned head; every-line cursors that are never skipped
 * and turn backpressure on and off with hysteresis while latest-lines cursors still see gaps; the
 * runner-wide budget bounding many logs together.
 */
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
          read.add(
              Long.parseLong(
                  new String(((LineLog.Read.Line) r).entry().bytes(), StandardCharsets.US_ASCII)
                      .strip()));
        }
      }
    }
    log.end();
    LineLog.Read r;
    while (!((r = log.poll(every)) instanceof LineLog.Read.End)) {
      read.add(
          Long.parseLong(
              new String(((LineLog.Read.Line) r).entry().bytes(), StandardCharsets.US_ASCII)
                  .strip()));
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
      assertThat(budget.used())
          .as("after log %d", n)
          .isLessThanOrEqualTo((8 << 20) + (n + 1) * 200L);
    }
    assertThat(logs.stream().mapToLong(LineLog::retainedBytes).sum()).isEqualTo(budget.used());
    budget.unregister(logs.getFirst());
    assertThat(logs.getFirst().retainedBytes()).isZero();
    assertThat(logs.stream().mapToLong(LineLog::retainedBytes).sum()).isEqualTo(budget.used());
  }

  @Test
  void aBatchIsAppendedInOrderWithOneTimestampAndReadersGetItsOwnArrays() {
    LineLog log = new LineLog(1 << 20, 256);
    LineBatch batch = new LineBatch();
    for (int i = 0; i < 100; i++) {
      batch.add(("line " + i + "\n").getBytes(StandardCharsets.UTF_8), i != 50);
    }
    assertThat(batch.ended()).isEqualTo(100);
    log.append(batch, 42);
    LineLog.Cursor c = log.newCursor();
    long offset = 0;
    for (int i = 0; i < 100; i++) {
      LineLog.Read r = log.poll(c);
      assertThat(r).isInstanceOf(LineLog.Read.Line.class);
      LineLog.Entry e = ((LineLog.Read.Line) r).entry();
      assertThat(e.bytes()).isSameAs(batch.line(i));
      assertThat(e.seq()).isEqualTo(i);
      assertThat(e.offset()).isEqualTo(offset);
      assertThat(e.complete()).isEqualTo(i != 50);
      assertThat(e.atMillis()).isEqualTo(42);
      offset += e.bytes().length;
    }
    assertThat(log.poll(c)).isInstanceOf(LineLog.Read.None.class);
    batch.clear();
    assertThat(batch.size()).isZero();
    assertThat(batch.ended()).isZero();
  }

  @Test
  void linesOfManyBatchesKeepTheirSequenceOffsetAndTimeAcrossTheHeadAndARingThatWraps() {
    LineLog log = new LineLog(2048, 100);
    LineBatch batch = new LineBatch();
    long offset = 0;
    List<Long> offsets = new ArrayList<>();
    for (int b = 0; b < 50; b++) {
      for (int i = 0; i <= b % 7; i++) {
        byte[] line = ("b" + b + " l" + i + "\n").getBytes(StandardCharsets.UTF_8);
        batch.add(line, true);
        offsets.add(offset);
        offset += line.length;
      }
      log.append(batch, 1000 + b);
      batch.clear();
    }
    LineLog.Cursor c = log.newCursor();
    long seq = 0;
    boolean sawGap = false;
    LineLog.Read r;
    while (!((r = log.poll(c)) instanceof LineLog.Read.None)) {
      if (r instanceof LineLog.Read.Gap g) {
        sawGap = true;
        seq += g.lines();
        continue;
      }
      LineLog.Entry e = ((LineLog.Read.Line) r).entry();
      assertThat(e.seq()).isEqualTo(seq);
      assertThat(e.offset()).isEqualTo(offsets.get((int) seq));
      String text = new String(e.bytes(), StandardCharsets.UTF_8);
      assertThat(e.atMillis())
          .isEqualTo(1000 + Long.parseLong(text.substring(1, text.indexOf(' '))));
      seq++;
    }
    assertThat(sawGap).isTrue();
    assertThat(seq).isEqualTo(offsets.size());
  }

  @Test
  void aBatchLargerThanTheWindowKeepsItsNewestLinesAndALateReaderGetsTheExactGap() {
    LineLog log = new LineLog(4096, 0);
    LineBatch batch = new LineBatch();
    int lines = 1000;
    for (int i = 0; i < lines; i++) {
      batch.add("0123456789abcdef\n".getBytes(StandardCharsets.UTF_8), true);
    }
    log.append(batch, 1);
    LineLog.Cursor c = log.newCursor();
    LineLog.Read first = log.poll(c);
    assertThat(first).isInstanceOf(LineLog.Read.Gap.class);
    long missed = ((LineLog.Read.Gap) first).lines();
    long read = 0;
    while (log.poll(c) instanceof LineLog.Read.Line) {
      read++;
    }
    assertThat(missed + read).isEqualTo(lines);
    assertThat(((LineLog.Read.Gap) first).bytes()).isEqualTo(missed * 17);
    assertThat(log.retainedBytes()).isLessThanOrEqualTo(4096);
  }

  @Test
  void anEveryLineCursorKeepsEveryLineOfABatchLargerThanTheWindow() {
    LineLog log = new LineLog(4096, 0);
    LineLog.Cursor c = log.newCursor(true);
    LineBatch batch = new LineBatch();
    for (int i = 0; i < 500; i++) {
      batch.add(("l" + i + "\n").getBytes(StandardCharsets.UTF_8), true);
    }
    log.append(batch, 1);
    for (int i = 0; i < 500; i++) {
      LineLog.Read r = log.poll(c);
      assertThat(r).isInstanceOf(LineLog.Read.Line.class);
      assertThat(new String(((LineLog.Read.Line) r).entry().bytes(), StandardCharsets.UTF_8))
          .isEqualTo("l" + i + "\n");
    }
  }

  /** Fills {@code read} with numbered lines of varied length; returns the lines, in order. */
  private static List<byte[]> fillRead(byte[] read, int len, long firstNumber) {
    List<byte[]> lines = new ArrayList<>();
    int at = 0;
    long number = firstNumber;
    while (true) {
      byte[] line =
          ("line " + number + " " + "x".repeat((int) (number % 300)) + "\n")
              .getBytes(StandardCharsets.UTF_8);
      if (at + line.length > len) {
        return lines;
      }
      System.arraycopy(line, 0, read, at, line.length);
      lines.add(line);
      at += line.length;
      number++;
    }
  }

  @Test
  void linesOfReadsAreCopiedIntoReusedSlabsAndReadBackByteExactWhileTheBufferIsOverwritten() {
    LineLog log = new LineLog(512 * 1024, 0);
    LineLog.Cursor every = log.newCursor(true);
    LineLog.Cursor latest = log.newCursor();
    LineBatch batch = new LineBatch();
    byte[] read = new byte[128 * 1024];
    List<byte[]> written = new ArrayList<>();
    long gapLines = 0;
    long latestRead = 0;
    for (int r = 0; r < 200; r++) {
      List<byte[]> lines = fillRead(read, 5_000 + r * 631 % (read.length - 5_000), written.size());
      int at = 0;
      for (byte[] l : lines) {
        batch.view(read, at, l.length, true);
        at += l.length;
      }
      log.append(batch, r);
      batch.clear();
      java.util.Arrays.fill(read, (byte) '?'); // the next read overwrites the buffer
      written.addAll(lines);
      // the every-line reader keeps up; the latest-lines one reads a little now and then
      LineLog.Read got;
      while ((got = log.poll(every)) instanceof LineLog.Read.Line line) {
        assertThat(line.entry().bytes()).isEqualTo(written.get((int) line.entry().seq()));
      }
      for (int i = 0; i < 3; i++) {
        got = log.poll(latest);
        switch (got) {
          case LineLog.Read.Line line -> {
            assertThat(line.entry().bytes()).isEqualTo(written.get((int) line.entry().seq()));
            latestRead++;
          }
          case LineLog.Read.Gap gap -> gapLines += gap.lines();
          default -> {}
        }
      }
    }
    assertThat(gapLines).as("the window dropped lines the latest reader skipped").isPositive();
    assertThat(latestRead + gapLines).isLessThanOrEqualTo(written.size());
    // what the window still holds reads back exactly from its oldest line on
    LineLog.Cursor last = log.newCursor();
    LineLog.Read got;
    long seen = 0;
    while ((got = log.poll(last)) instanceof LineLog.Read.Line || got instanceof LineLog.Read.Gap) {
      if (got instanceof LineLog.Read.Line line) {
        assertThat(line.entry().bytes()).isEqualTo(written.get((int) line.entry().seq()));
        seen++;
      }
    }
    assertThat(seen).isPositive();
    assertThat(log.retainedBytes()).isLessThanOrEqualTo(512 * 1024);
  }

  @Test
  void slabsAndTheirSparesAreChargedInFullAndAllGivenBackWhenTheStreamIsReleased() {
    OutputBudget budget = new OutputBudget(1 << 20);
    LineLog log = new LineLog(1 << 20, 0, budget);
    LineBatch batch = new LineBatch();
    byte[] read = new byte[128 * 1024];
    long number = 0;
    for (int r = 0; r < 100; r++) {
      List<byte[]> lines = fillRead(read, read.length, number);
      int at = 0;
      for (byte[] l : lines) {
        batch.view(read, at, l.length, true);
        at += l.length;
      }
      number += lines.size();
      log.append(batch, r);
      batch.clear();
      assertThat(budget.used()).isEqualTo(log.retainedBytes());
      assertThat(log.retainedBytes()).as("read %d", r).isLessThanOrEqualTo(1 << 20);
    }
    // the window holds the newest lines, in slabs: most of its memory is lines, not empty slabs
    long held = 0;
    LineLog.Cursor c = log.newCursor();
    LineLog.Read got;
    while ((got = log.poll(c)) instanceof LineLog.Read.Line || got instanceof LineLog.Read.Gap) {
      if (got instanceof LineLog.Read.Line line) {
        held += line.entry().bytes().length;
      }
    }
    assertThat(held).isGreaterThan((1 << 20) / 2);
    budget.unregister(log);
    assertThat(log.retainedBytes()).isZero();
    assertThat(budget.used()).isZero();
  }

  @Test
  void aQuietStreamKeepsEachLineInAnArrayOfItsOwnRatherThanInASlab() {
    LineLog log = new LineLog(8 << 20, 0);
    LineBatch batch = new LineBatch();
    byte[] read = "one quiet line\n".getBytes(StandardCharsets.UTF_8);
    batch.view(read, 0, read.length, true);
    log.append(batch, 1);
    batch.clear();
    assertThat(log.retainedBytes()).isEqualTo(read.length + LineLog.ENTRY_OVERHEAD);
    read[0] = 'X'; // the read buffer is reused: the log has its own copy
    LineLog.Read got = log.poll(log.newCursor());
    assertThat(new String(((LineLog.Read.Line) got).entry().bytes(), StandardCharsets.UTF_8))
        .isEqualTo("one quiet line\n");
  }

  /** Hands {@code lines} to {@code log} as views of {@code read}, one batch, as a read does. */
  private static void appendViews(LineLog log, byte[] read, List<byte[]> lines, long at) {
    LineBatch batch = new LineBatch();
    int offset = 0;
    for (byte[] l : lines) {
      System.arraycopy(l, 0, read, offset, l.length);
      batch.view(read, offset, l.length, true);
      offset += l.length;
    }
    log.append(batch, at);
    java.util.Arrays.fill(read, (byte) '?');
  }

  /** {@code count} full reads of numbered lines, appended as views; {@code written} gets them. */
  private static void appendReads(LineLog log, byte[] read, List<byte[]> written, int count) {
    for (int r = 0; r < count; r++) {
      List<byte[]> lines = fillRead(read, read.length, written.size());
      written.addAll(lines);
      appendViews(log, read, lines, r);
    }
  }

  /** Every line {@code c} reads from now on, checked against {@code written} by sequence. */
  private static long readAllChecked(LineLog log, LineLog.Cursor c, List<byte[]> written) {
    long lines = 0;
    LineLog.Read got;
    while ((got = log.poll(c)) instanceof LineLog.Read.Line || got instanceof LineLog.Read.Gap) {
      if (got instanceof LineLog.Read.Line line) {
        assertThat(line.entry().bytes())
            .as("line %d", line.entry().seq())
            .isEqualTo(written.get((int) line.entry().seq()));
        lines++;
      }
    }
    return lines;
  }

  @Test
  void whenMoreStreamsShareTheBudgetAWindowInSlabsKeepsMostOfItsNewShareInLines() {
    OutputBudget budget = new OutputBudget(4 << 20);
    LineLog log = new LineLog(8 << 20, 0, budget);
    byte[] read = new byte[128 * 1024];
    List<byte[]> written = new ArrayList<>();
    appendReads(log, read, written, 80);
    // seven more streams: this one's share falls from 4 MiB to 512 KiB
    List<LineLog> others = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      others.add(new LineLog(8 << 20, 0, budget));
    }
    List<byte[]> lines = fillRead(read, 8 * 1024, written.size());
    written.addAll(lines);
    appendViews(log, read, lines, 100);
    assertThat(log.retainedBytes()).isLessThanOrEqualTo(512 * 1024);
    long bytes = 0;
    LineLog.Cursor c = log.newCursor();
    LineLog.Read got;
    while ((got = log.poll(c)) instanceof LineLog.Read.Line || got instanceof LineLog.Read.Gap) {
      if (got instanceof LineLog.Read.Line line) {
        assertThat(line.entry().bytes()).isEqualTo(written.get((int) line.entry().seq()));
        bytes += line.entry().bytes().length + LineLog.ENTRY_OVERHEAD;
      }
    }
    assertThat(bytes).as("lines, not empty slabs").isGreaterThan(512 * 1024 / 2);
    long retained = log.retainedBytes();
    for (LineLog o : others) {
      retained += o.retainedBytes();
    }
    assertThat(budget.used()).isEqualTo(retained);
  }

  @Test
  void slabLinesOwnLinesAndLongLinesMixInOneWindowAndReadBackExactlyAfterThePinnedHead() {
    LineLog log = new LineLog(1 << 20, 4096);
    LineLog.Cursor every = log.newCursor(true);
    byte[] read = new byte[128 * 1024];
    List<byte[]> written = new ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int r = 0; r < 60; r++) {
      LineBatch batch = new LineBatch();
      int offset = 0;
      for (int k = 0; k < 200; k++) {
        int size = random.nextInt(10) == 0 ? 5000 + random.nextInt(3000) : 20 + random.nextInt(300);
        byte[] line =
            ("n" + written.size() + " " + "y".repeat(size) + "\n").getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(5) == 0) {
          batch.add(line, true); // an array of its own (a line a read cut in two, or an event's)
        } else {
          if (offset + line.length > read.length) {
            break;
          }
          System.arraycopy(line, 0, read, offset, line.length);
          batch.view(read, offset, line.length, true);
          offset += line.length;
        }
        written.add(line);
      }
      log.append(batch, r);
      java.util.Arrays.fill(read, (byte) '?');
      assertThat(readAllChecked(log, every, written)).isPositive();
    }
    // a later reader starts at the pinned head, then a gap, then the window
    LineLog.Cursor late = log.newCursor();
    LineLog.Read first = log.poll(late);
    assertThat(((LineLog.Read.Line) first).entry().bytes()).isEqualTo(written.getFirst());
    assertThat(readAllChecked(log, late, written)).isPositive();
    assertThat(log.retainedBytes()).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void anEveryLineReaderThatFallsBehindHoldsBackItsSlabLinesUntilItReadsThem() {
    LineLog log = new LineLog(512 * 1024, 0);
    LineLog.Cursor every = log.newCursor(true);
    byte[] read = new byte[128 * 1024];
    List<byte[]> written = new ArrayList<>();
    int reads = 0;
    while (!log.full()) {
      List<byte[]> lines = fillRead(read, read.length, written.size());
      written.addAll(lines);
      appendViews(log, read, lines, reads++);
    }
    assertThat(reads).isGreaterThan(1);
    assertThat(readAllChecked(log, every, written)).isEqualTo(written.size());
    assertThat(log.full()).isFalse();
    assertThat(log.retainedBytes()).isLessThanOrEqualTo(512 * 1024);
  }

  @Test
  void aWindowReleasedWithItsSlabsTakesNewLinesAndChargesThemAgain() {
    OutputBudget budget = new OutputBudget(8 << 20);
    LineLog log = new LineLog(1 << 20, 0, budget);
    byte[] read = new byte[128 * 1024];
    List<byte[]> written = new ArrayList<>();
    appendReads(log, read, written, 20);
    log.releaseAll();
    assertThat(log.retainedBytes()).isZero();
    assertThat(budget.used()).isZero();
    for (int r = 0; r < 20; r++) {
      List<byte[]> lines = fillRead(read, read.length, written.size());
      written.addAll(lines);
      appendViews(log, read, lines, r);
      assertThat(budget.used()).isEqualTo(log.retainedBytes());
    }
    assertThat(readAllChecked(log, log.newCursor(), written)).isPositive();
  }

  /**
   * Reads {@code stream} as the engine does: each read goes into the slab the log lends, if it
   * lends one, else into a buffer of the reader's own; the framer's lines go to the log.
   *
   * @return how many reads went into a lent slab
   */
  private static int readLikeTheEngine(
      LineLog log,
      byte[] stream,
      java.util.function.IntUnaryOperator readSize,
      Runnable afterRead) {
    LineBatch batch = new LineBatch();
    LineFramer framer = new LineFramer(1 << 20, batch);
    byte[] own = new byte[128 * 1024];
    int lent = 0;
    int lastRead = 0;
    for (int at = 0, r = 0; at < stream.length; r++) {
      byte[] slab = log.lendSlab(lastRead);
      byte[] into = slab != null ? slab : own;
      int from = slab != null ? log.lentFrom() : 0;
      int n = Math.min(Math.min(readSize.applyAsInt(r), into.length - from), stream.length - at);
      System.arraycopy(stream, at, into, from, n); // the kernel's copy
      at += n;
      lent += slab != null ? 1 : 0;
      framer.feed(into, from, n);
      log.append(batch, r);
      batch.clear();
      if (slab == null) {
        java.util.Arrays.fill(own, (byte) '?'); // the reader's own buffer is reused
      }
      lastRead = n;
      afterRead.run();
    }
    return lent;
  }

  /** Numbered lines of many lengths, some longer than a slab takes by copy; newline-ended. */
  private static List<byte[]> streamLines(int count) {
    List<byte[]> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int pad = i % 97 == 0 ? 9_000 + i % 5_000 : (i * 31) % 400;
      lines.add(("line " + i + " " + "x".repeat(pad) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return lines;
  }

  private static byte[] concat(List<byte[]> lines) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    lines.forEach(out::writeBytes);
    return out.toByteArray();
  }

  @Test
  void readsIntoLentSlabsKeepTheirLinesInPlaceAndEveryLineReadsBackByteExact() {
    OutputBudget budget = new OutputBudget(16 << 20);
    LineLog log = new LineLog(4 << 20, 16 * 1024, budget);
    LineLog.Cursor every = log.newCursor(true);
    List<byte[]> written = streamLines(40_000);
    java.util.Random random = new java.util.Random(7);
    List<byte[]> got = new ArrayList<>();
    int lent =
        readLikeTheEngine(
            log,
            concat(written),
            r -> r % 3 == 0 ? 1 + random.nextInt(300) : 1 + random.nextInt(96 * 1024),
            () -> {
              LineLog.Read read;
              while ((read = log.poll(every)) instanceof LineLog.Read.Line line) {
                got.add(line.entry().bytes());
              }
              assertThat(budget.used()).isEqualTo(log.retainedBytes());
              assertThat(log.retainedBytes()).isLessThanOrEqualTo(4 << 20);
            });
    assertThat(lent).as("reads that went into a lent slab").isGreaterThan(100);
    assertThat(got).hasSameSizeAs(written);
    for (int i = 0; i < written.size(); i++) {
      assertThat(got.get(i)).as("line %d", i).isEqualTo(written.get(i));
    }
    // a late reader finds the window's newest lines byte-exact after the exact gap
    assertThat(readAllChecked(log, log.newCursor(), written)).isPositive();
    budget.unregister(log);
    assertThat(budget.used()).isZero();
  }

  @Test
  void aLentReadsLinesAreTheSlabsOwnBytesWithNoCopy() {
    LineLog log = new LineLog(8 << 20, 0);
    byte[] slab = log.lendSlab(64 * 1024);
    assertThat(slab).isNotNull();
    int from = log.lentFrom();
    byte[] line = line("in place");
    System.arraycopy(line, 0, slab, from, line.length);
    LineBatch batch = new LineBatch();
    batch.view(slab, from, line.length, true);
    log.append(batch, 1);
    slab[from] = 'I'; // the window holds the line where the read put it
    assertThat(text(log.poll(log.newCursor()))).isEqualTo("In place");
    assertThat(log.lendSlab(0)).as("the same slab, with room after the line").isSameAs(slab);
    assertThat(log.lentFrom()).isEqualTo(from + line.length);
  }

  @Test
  void aQuietStreamOrThePinnedHeadIsLentNoSlab() {
    LineLog quiet = new LineLog(8 << 20, 0);
    assertThat(quiet.lendSlab(200)).as("a short last read").isNull();
    assertThat(quiet.retainedBytes()).isZero();
    LineLog pinned = new LineLog(8 << 20, 64 * 1024);
    assertThat(pinned.lendSlab(64 * 1024)).as("lines still go to the pinned head").isNull();
    LineLog small = new LineLog(64 * 1024, 0);
    assertThat(small.lendSlab(64 * 1024)).as("a window too small for slabs").isNull();
    LineLog smallShare = new LineLog(8 << 20, 0, new OutputBudget(1 << 20));
    assertThat(smallShare.lendSlab(64 * 1024))
        .as("a share whose slabs would be smaller than the engine's own reads")
        .isNull();
  }

  @Test
  void aLongLineThatFillsItsLentRoomGetsAWholeNewSlabForTheNextRead() {
    LineLog log = new LineLog(8 << 20, 0);
    byte[] slab = log.lendSlab(64 * 1024);
    int room = 10_000;
    // lines up to `room` bytes before the slab's end
    LineBatch batch = new LineBatch();
    int end = slab.length - room;
    java.util.Arrays.fill(slab, 0, end, (byte) 'x');
    slab[end - 1] = '\n';
    batch.view(slab, 0, end, true);
    log.append(batch, 1);
    batch.clear();
    assertThat(log.lendSlab(64 * 1024)).isSameAs(slab);
    assertThat(log.lentFrom()).isEqualTo(end);
    // the read fills those 10,000 bytes with the start of a long line: no line to append
    byte[] next = log.lendSlab(room);
    assertThat(next).as("not the same few bytes again").isNotSameAs(slab);
    assertThat(log.lentFrom()).isZero();
  }

  @Test
  void aSlabTakenForAReadThatBroughtNoLineIsLetGoWhenTheShareShrinks() {
    OutputBudget budget = new OutputBudget(8 << 20);
    LineLog log = new LineLog(8 << 20, 0, budget);
    assertThat(log.lendSlab(64 * 1024)).isNotNull();
    assertThat(log.retainedBytes()).isEqualTo(LineLog.MAX_SLAB);
    List<LineLog> others = new ArrayList<>();
    for (int i = 0; i < 63; i++) {
      others.add(new LineLog(8 << 20, 0, budget));
    }
    log.trim();
    assertThat(log.retainedBytes()).isZero();
    assertThat(budget.used()).isZero();
    assertThat(log.lendSlab(64 * 1024)).as("slabs of a sixty-fourth share are too small").isNull();
    others.forEach(budget::unregister);
  }

  @Test
  void aLentSlabStillEmptyIsChargedAndGoesBackToTheSparesWhenANewOneReplacesIt() {
    OutputBudget budget = new OutputBudget(8 << 20);
    LineLog log = new LineLog(8 << 20, 0, budget);
    byte[] first = log.lendSlab(64 * 1024);
    assertThat(budget.used()).isEqualTo(first.length).isEqualTo(log.retainedBytes());
    // nothing was read into it; the stream's next large read fills it from its start
    assertThat(log.lendSlab(64 * 1024)).isSameAs(first);
    // fill it to its end: the next read needs a new slab, and the first one holds its lines
    LineBatch batch = new LineBatch();
    int length = first.length / 4;
    for (int i = 0; i < 4; i++) {
      java.util.Arrays.fill(first, i * length, (i + 1) * length - 1, (byte) ('a' + i));
      first[(i + 1) * length - 1] = '\n';
      batch.view(first, i * length, length, true);
    }
    log.append(batch, 1);
    byte[] second = log.lendSlab(64 * 1024);
    assertThat(second).isNotSameAs(first);
    assertThat(budget.used()).isEqualTo(log.retainedBytes());
    budget.unregister(log);
    assertThat(budget.used()).isZero();
  }

  @Test
  void aSlabThatLeavesTheWindowWhileAReadGoesIntoItKeepsThatReadsLinesAndIsNeverLentAgain() {
    OutputBudget budget = new OutputBudget(8 << 20);
    LineLog log = new LineLog(8 << 20, 0, budget);
    byte[] slab = log.lendSlab(64 * 1024);
    int from = log.lentFrom();
    List<byte[]> written = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      written.add(line("read into a slab that is let go " + i));
    }
    byte[] read = concat(written);
    System.arraycopy(read, 0, slab, from, read.length);
    // the stream is released (its budget taken back) while the read is in flight
    log.releaseAll();
    LineBatch batch = new LineBatch();
    LineFramer framer = new LineFramer(1 << 20, batch);
    framer.feed(slab, from, read.length);
    log.append(batch, 1);
    batch.clear();
    assertThat(budget.used()).isEqualTo(log.retainedBytes());
    for (int i = 0; i < 100; i++) {
      assertThat(log.lendSlab(64 * 1024)).as("lend %d", i).isNotSameAs(slab);
      java.util.Arrays.fill(slab, (byte) '?'); // the let-go slab is not the log's any more
    }
    LineLog.Cursor c = log.newCursor();
    LineLog.Read r;
    List<byte[]> got = new ArrayList<>();
    while ((r = log.poll(c)) instanceof LineLog.Read.Line || r instanceof LineLog.Read.Gap) {
      if (r instanceof LineLog.Read.Line line) {
        got.add(line.entry().bytes());
      }
    }
    assertThat(got).containsExactlyElementsOf(written);
  }
}
