package dev.descartes.runner.internal.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrphanReaperTest {

  @Test
  void leavesOutTheChildrenAnEngineOfThisJvmStarted() {
    int own = 2_000_000_123; // above any pid the kernel hands out (pid_max is at most 2^22)
    OwnChildren.started(own);
    try {
      assertThat(OrphanReaper.foreign(List.of(11, own, 13))).containsExactlyInAnyOrder(11L, 13L);
    } finally {
      OwnChildren.reaped(own);
    }
    assertThat(OrphanReaper.foreign(List.of(11, own))).contains((long) own);
  }
}
