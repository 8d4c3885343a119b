package dev.descartes.runner.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {

  /** A real line of /proc/PID/stat, with a command name that holds a space and parentheses. */
  private static final String LINE =
      "4242 (my (odd) cmd) S 4200 4242 4242 34816 4242 4194304 1183 0 0 0 "
          + "17 5 0 0 20 0 1 0 123456 12345678 321 18446744073709551615 1 1 0 0 0 0 0 0 2 0 0 0 17 1 0 0 0 0 0";

  @Test
  void parsesTheFieldsTheRunnerUsesWhateverTheCommandName() {
    ProcStat s = ProcStat.parse(LINE);
    assertThat(s).isEqualTo(new ProcStat(4242, 'S', 4200, 4242, 4242, 22, 123456, 321));
    assertThat(s.isZombie()).isFalse();
  }

  @Test
  void aZombieOrDeadProcessIsAZombie() {
    assertThat(ProcStat.parse(LINE.replace(") S ", ") Z ")).isZombie()).isTrue();
    assertThat(ProcStat.parse(LINE.replace(") S ", ") X ")).isZombie()).isTrue();
  }

  @Test
  void theJvmsOwnStatParses() {
    long self = ProcessHandle.current().pid();
    assertThat(ProcFs.stat(self))
        .hasValueSatisfying(
            s -> {
              assertThat(s.pid()).isEqualTo(self);
              assertThat(s.startTicks()).isPositive();
            });
  }

  @Test
  void aLineWithoutACommandNameIsRefused() {
    assertThatThrownBy(() -> ProcStat.parse("garbage"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
