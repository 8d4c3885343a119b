package dev.descartes.runner.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineBatchTest {

  @Test
  void aViewIsCopiedOnceOnFirstUseAndThatCopyIsWhatEveryoneGetsAfter() {
    byte[] read = "one\ntwo\n".getBytes(StandardCharsets.UTF_8);
    LineBatch batch = new LineBatch();
    batch.view(read, 0, 4, true);
    batch.view(read, 4, 4, true);
    assertThat(batch.owned(0)).isFalse();
    assertThat(batch.array(1)).isSameAs(read);
    assertThat(batch.start(1)).isEqualTo(4);
    byte[] first = batch.line(1);
    assertThat(first).isEqualTo("two\n".getBytes(StandardCharsets.UTF_8)).isNotSameAs(read);
    assertThat(batch.line(1)).isSameAs(first);
    assertThat(batch.owned(1)).isTrue();
    assertThat(batch.array(1)).isSameAs(first);
    assertThat(batch.start(1)).isZero();
    assertThat(batch.length(1)).isEqualTo(4);
    read[0] = 'X';
    batch.own();
    assertThat(new String(batch.line(0), StandardCharsets.UTF_8)).isEqualTo("Xne\n");
  }

  @Test
  void anArrayOfItsOwnIsKeptAsItIsAndCountsTowardsEndedLinesAndBytes() {
    LineBatch batch = new LineBatch();
    byte[] own = "piece".getBytes(StandardCharsets.UTF_8);
    batch.add(own, false);
    batch.add("end\n".getBytes(StandardCharsets.UTF_8), false);
    byte[] read = "x\n".getBytes(StandardCharsets.UTF_8);
    batch.view(read, 0, 2, true);
    assertThat(batch.line(0)).isSameAs(own);
    assertThat(batch.size()).isEqualTo(3);
    assertThat(batch.ended())
        .as("the piece ending in a newline, and the complete line")
        .isEqualTo(2);
    assertThat(batch.bytes()).isEqualTo(5 + 4 + 2);
    batch.clear();
    assertThat(batch.size()).isZero();
    assertThat(batch.bytes()).isZero();
    assertThat(batch.ended()).isZero();
  }

  @Test
  void aViewOfASecondBufferIsCopiedAtOnceSoViewsOfTheFirstStayRight() {
    byte[] first = "a\n".getBytes(StandardCharsets.UTF_8);
    byte[] second = "bb\n".getBytes(StandardCharsets.UTF_8);
    LineBatch batch = new LineBatch();
    batch.view(first, 0, 2, true);
    batch.view(second, 0, 3, true);
    assertThat(batch.owned(0)).isFalse();
    assertThat(batch.owned(1)).isTrue();
    second[0] = 'X';
    assertThat(new String(batch.array(1), batch.start(1), batch.length(1), StandardCharsets.UTF_8))
        .isEqualTo("bb\n");
    assertThat(new String(batch.array(0), batch.start(0), batch.length(0), StandardCharsets.UTF_8))
        .isEqualTo("a\n");
    for (int i = 0; i < 100; i++) {
      batch.view(first, 0, 2, true); // grows past its first capacity
    }
    assertThat(batch.size()).isEqualTo(102);
    assertThat(batch.ended()).isEqualTo(102);
  }
}
