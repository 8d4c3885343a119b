package dev.descartes.runner.internal.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrphanReaperTest {

  private static Set<Long> foreign(String childrenFile) {
    byte[] text = childrenFile.getBytes(StandardCharsets.US_ASCII);
    Set<Long> out = new HashSet<>();
    OrphanReaper.addForeign(text, text.length, out);
    return out;
  }

  @Test
  void readsEveryPidOfAChildrenFile() {
    assertThat(foreign("12 345 6789 ")).containsExactlyInAnyOrder(12L, 345L, 6789L);
    assertThat(foreign("4194304")).containsExactly(4194304L);
    assertThat(foreign("7\n")).containsExactly(7L);
  }

  @Test
  void anEmptyChildrenFileHasNoPids() {
    assertThat(foreign("")).isEmpty();
    assertThat(foreign(" \n")).isEmpty();
  }

  @Test
  void leavesOutTheChildrenAnEngineOfThisJvmStarted() {
    long own = 2_000_000_123L; // above any pid the kernel hands out (pid_max is at most 2^22)
    OwnChildren.started(own);
    try {
      assertThat(foreign("11 " + own + " 13 ")).containsExactlyInAnyOrder(11L, 13L);
    } finally {
      OwnChildren.reaped(own);
    }
    assertThat(foreign("11 " + own)).contains(own);
  }
}
