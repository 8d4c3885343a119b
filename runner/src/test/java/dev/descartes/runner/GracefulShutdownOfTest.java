package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stop sequence the runners take from a backend: its own, or the default when it fails. */
class GracefulShutdownOfTest {

  private static AgentBackend stoppingWith(
      java.util.function.Function<Duration, GracefulShutdown> s) {
    return TemplateBackend.builder("t").command("true").stopSequence(s).build();
  }

  @Test
  void aBackendsOwnSequenceIsTaken() {
    GracefulShutdown own =
        GracefulShutdown.builder()
            .signal(AgentSignal.INTERRUPT)
            .await(Duration.ofSeconds(3))
            .build();
    assertThat(GracefulShutdown.of(stoppingWith(t -> own), Duration.ofSeconds(9))).isSameAs(own);
  }

  @Test
  void aSequenceThatThrowsOrIsNullBecomesTheDefaultForTheTimeout() {
    GracefulShutdown thrown =
        GracefulShutdown.of(
            stoppingWith(
                t -> {
                  throw new AssertionError("stop sequence bug");
                }),
            Duration.ofSeconds(9));
    GracefulShutdown none = GracefulShutdown.of(stoppingWith(t -> null), Duration.ofSeconds(9));
    GracefulShutdown expected = new GracefulShutdown(Duration.ofSeconds(9));
    assertThat(thrown.steps()).isEqualTo(expected.steps());
    assertThat(none.steps()).isEqualTo(expected.steps());
  }
}
