package dev.descartes.runner.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {

  private record Line(String text, boolean complete) {}

  private final List<Line> lines = new ArrayList<>();

  private LineFramer framer(int maxLine) {
    return new LineFramer(
        maxLine,
        (bytes, complete) ->
            lines.add(new Line(new String(bytes, StandardCharsets.ISO_8859_1), complete)));
  }

  private static void feed(LineFramer f, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    f.feed(b, 0, b.length);
  }

  @Test
  void linesKeepTheirNewlineAndALineSplitAcrossReadsIsJoined() {
    LineFramer f = framer(100);
    feed(f, "one\ntw");
    feed(f, "o\nthr");
    feed(f, "ee\n");
    assertThat(lines)
        .containsExactly(
            new Line("one\n", true), new Line("two\n", true), new Line("three\n", true));
  }

  @Test
  void aLastLineWithoutNewlineIsEmittedAtTheEndOfTheStream() {
    LineFramer f = framer(100);
    feed(f, "done\nno newline");
    assertThat(lines).containsExactly(new Line("done\n", true));
    f.finish();
    assertThat(lines).containsExactly(new Line("done\n", true), new Line("no newline", true));
  }

  @Test
  void aLineLongerThanTheCapComesInPiecesMarkedIncompleteExceptTheLast() {
    LineFramer f = framer(4);
    feed(f, "abcdefghij\nok\n");
    assertThat(lines)
        .containsExactly(
            new Line("abcd", false),
            new Line("efgh", false),
            new Line("ij\n", false),
            new Line("ok\n", true));
  }

  @Test
  void aLineOfExactlyTheCapIsOneCompleteLine() {
    LineFramer f = framer(4);
    feed(f, "abc\n");
    feed(f, "xy");
    feed(f, "z\n");
    assertThat(lines).containsExactly(new Line("abc\n", true), new Line("xyz\n", true));
  }

  @Test
  void bytesThatAreNotUtf8PassThroughUntouched() {
    List<byte[]> raw = new ArrayList<>();
    LineFramer f = new LineFramer(100, (bytes, complete) -> raw.add(bytes));
    byte[] bad = {(byte) 0xff, (byte) 0xfe, 'x', '\n'};
    f.feed(bad, 0, bad.length);
    assertThat(raw).hasSize(1);
    assertThat(raw.getFirst()).containsExactly(bad);
  }

  @Test
  void anEmptyStreamEmitsNothing() {
    LineFramer f = framer(10);
    f.finish();
    assertThat(lines).isEmpty();
  }

  @Test
  void theWordAtATimeNewlineSearchFindsWhatAByteLoopFinds() {
    java.util.Random random = new java.util.Random(42);
    // bytes next to 0x0a (0x0b, 0x09, 0x8a) are where a word-at-a-time search could go wrong
    byte[] alphabet = {'\n', 0x0b, 0x09, (byte) 0x8a, (byte) 0xff, 0, 'a', (byte) (0x0a ^ 0x80)};
    for (int round = 0; round < 20_000; round++) {
      byte[] buf = new byte[random.nextInt(40)];
      for (int i = 0; i < buf.length; i++) {
        buf[i] =
            random.nextInt(4) == 0
                ? alphabet[random.nextInt(alphabet.length)]
                : (byte) random.nextInt(256);
      }
      int from = buf.length == 0 ? 0 : random.nextInt(buf.length);
      int to = from + (buf.length == from ? 0 : random.nextInt(buf.length - from + 1));
      int expected = -1;
      for (int i = from; i < to; i++) {
        if (buf[i] == '\n') {
          expected = i;
          break;
        }
      }
      assertThat(LineFramer.indexOfNewline(buf, from, to))
          .as("round %d", round)
          .isEqualTo(expected);
    }
  }

  @Test
  void crlfLinesKeepBothBytesOfTheirTerminator() {
    LineFramer f = framer(100);
    feed(f, "dos\r\nunix\nsplit\r");
    feed(f, "\n");
    assertThat(lines)
        .containsExactly(
            new Line("dos\r\n", true), new Line("unix\n", true), new Line("split\r\n", true));
  }

  @Test
  void aLineLongerThanOneReadButUnderTheCapIsOneCompleteLine() {
    LineFramer f = framer(1 << 20);
    String big = "y".repeat(70_000);
    for (int i = 0; i < big.length(); i += 4096) {
      feed(f, big.substring(i, Math.min(big.length(), i + 4096)));
    }
    feed(f, "\nnext\n");
    assertThat(lines).containsExactly(new Line(big + "\n", true), new Line("next\n", true));
  }

  @Test
  void everyWayOfSplittingAStreamIntoTwoReadsFramesTheSameLines() {
    String stream = "a\n\nbcd\r\nefghijk\nlm";
    LineFramer whole = framer(5);
    feed(whole, stream);
    whole.finish();
    List<Line> expected = List.copyOf(lines);
    for (int cut = 0; cut <= stream.length(); cut++) {
      lines.clear();
      LineFramer f = framer(5);
      feed(f, stream.substring(0, cut));
      feed(f, stream.substring(cut));
      f.finish();
      assertThat(lines).as("cut at %d", cut).isEqualTo(expected);
    }
  }

  @Test
  void theWordMaskFlagsExactlyTheNewlineBytesWhateverTheirNeighbours() {
    java.util.Random random = new java.util.Random(11);
    byte[] tricky = {'\n', 0x0b, 0x09, 0x00, (byte) 0x8a, (byte) 0x80, (byte) 0xff, 0x01, 'x'};
    for (int round = 0; round < 200_000; round++) {
      long word = 0;
      long expected = 0;
      for (int b = 0; b < 8; b++) {
        byte v =
            random.nextBoolean()
                ? tricky[random.nextInt(tricky.length)]
                : (byte) random.nextInt(256);
        word |= (v & 0xffL) << (8 * b);
        if (v == '\n') {
          expected |= 0x80L << (8 * b);
        }
      }
      assertThat(LineFramer.newlines(word)).as("word %016x", word).isEqualTo(expected);
    }
  }

  @Test
  void framingRandomBytesFromEveryOffsetMatchesAByteByByteSplit() {
    java.util.Random random = new java.util.Random(5);
    byte[] alphabet = {'\n', 0x0b, (byte) 0x8a, 'a', '\r'};
    byte[] buf = new byte[300];
    for (int round = 0; round < 40; round++) {
      for (int i = 0; i < buf.length; i++) {
        buf[i] =
            random.nextInt(3) == 0
                ? alphabet[random.nextInt(alphabet.length)]
                : (byte) random.nextInt(256);
      }
      for (int from = 0; from < 70; from++) {
        int to = buf.length - random.nextInt(40);
        List<Line> expected = new ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
          if (buf[i] == '\n') {
            expected.add(new Line(latin1(buf, start, i + 1), true));
            start = i + 1;
          }
        }
        if (start < to) {
          expected.add(new Line(latin1(buf, start, to), true));
        }
        lines.clear();
        LineFramer f = framer(1000);
        f.feed(buf, from, to - from);
        f.finish();
        assertThat(lines).as("round %d from %d to %d", round, from, to).isEqualTo(expected);
      }
    }
  }

  private static String latin1(byte[] buf, int from, int to) {
    return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aLineWholeInOneFeedComesAsAViewOfThatBufferAndOnlyALineSpanningFeedsIsCopied() {
    List<String> how = new ArrayList<>();
    byte[][] fed = new byte[1][];
    LineFramer f =
        new LineFramer(
            8,
            new LineFramer.LineSink() {
              @Override
              public void line(byte[] bytes, boolean complete) {
                how.add("own " + new String(bytes, StandardCharsets.ISO_8859_1) + complete);
              }

              @Override
              public void view(byte[] buf, int start, int length, boolean complete) {
                assertThat(buf).isSameAs(fed[0]);
                how.add(
                    "view "
                        + new String(buf, start, length, StandardCharsets.ISO_8859_1)
                        + complete);
              }
            });
    for (String read : List.of("a\nbb\ncc", "c\n0123456789abc\nd\n", "tail")) {
      fed[0] = read.getBytes(StandardCharsets.ISO_8859_1);
      f.feed(fed[0], 0, fed[0].length);
    }
    f.finish();
    assertThat(how)
        .containsExactly(
            "view a\ntrue",
            "view bb\ntrue",
            "own ccc\ntrue",
            "own 01234567false", // a piece of a line longer than 8 bytes
            "own 89abc\nfalse", // and its last piece: a long line is assembled piece by piece
            "view d\ntrue",
            "own tailtrue");
  }
}
