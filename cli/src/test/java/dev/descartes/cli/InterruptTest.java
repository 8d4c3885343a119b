package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl+C: SIGINT to the descartes process stops every agent gracefully, a second one kills them,
 * and no process of any agent survives (the {@link CliLeakCheck} after each test looks for them).
 */
@ExtendWith(CliLeakCheck.class)
class InterruptTest {

  @TempDir Path dir;

  @Test
  void sigintStopsEveryAgentGracefully() throws Exception {
    Path fleet =
        Files.writeString(
            dir.resolve("forever.yaml"),
            """
        stop: {signal: interrupt, timeout: 1m}
        agents:
          alpha:
            command: [%1$s]
            env: {STEPS: 1000000, DELAY: 0.1}
          beta:
            command: [%1$s]
            env: {STEPS: 1000000, DELAY: 0.1}
          gamma:
            command: |
              trap 'echo gamma got SIGINT; exit 0' INT
              echo gamma is up
              while :; do sleep 0.1; done
        """
                .formatted(Cli.examples().resolve("agents/fake-agent.sh")));
    Cli.Running r = Cli.start(dir, Map.of(), "run", "-f", fleet.toString());
    r.awaitStdout(
        out ->
            out.contains("alpha | Step 1 of")
                && out.contains("beta  | Step 1 of")
                && out.contains("gamma | gamma is up"));

    r.interrupt();

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.INTERRUPTED);
    assertThat(r.stderr())
        .contains("Ctrl+C: stopping 3 agents gracefully (SIGINT, SIGKILL after 1m00s)");
    assertThat(r.stdout())
        .containsPattern(
            "alpha \\| .*interrupted at step \\d+") // each agent saw SIGINT and said so
        .containsPattern("beta  \\| .*interrupted at step \\d+")
        .contains("gamma | gamma got SIGINT");
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("alpha +stopped .*"))
        .anyMatch(l -> l.matches("beta +stopped .*"))
        .anyMatch(l -> l.matches("gamma +stopped .*"));
  }

  @Test
  void secondSigintKillsAgentsThatIgnoreTheFirst() throws Exception {
    Path fleet =
        Files.writeString(
            dir.resolve("stubborn.yaml"),
            """
        stop: {signal: interrupt, timeout: 10m}
        agents:
          stubborn:
            command: |
              trap '' INT TERM
              setsid sleep 100000 &
              echo stubborn is up
              while :; do sleep 0.1; done
          waiting: {command: "echo never runs"}
        maxConcurrency: 1
        """);
    Cli.Running r = Cli.start(dir, Map.of(), "run", "-f", fleet.toString());
    r.awaitStdout(out -> out.contains("stubborn | stubborn is up"));

    r.interrupt();
    r.awaitStderr(err -> err.contains("press Ctrl+C again to kill at once"));
    r.interrupt();

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.INTERRUPTED);
    assertThat(r.stderr()).contains("Ctrl+C again: killing 1 agent");
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("stubborn +stopped +sig 9 .*"))
        .anyMatch(l -> l.matches("waiting +not started .*"))
        .noneMatch(l -> l.contains("never runs"));
  }

  @Test
  void sigintStopsASingleAgent() {
    Cli.Running r =
        Cli.start(
            dir,
            Map.of("STEPS", "1000000", "DELAY", "0.1"),
            "run",
            "--backend",
            "fake-agent.sh-cli",
            "Work forever");
    r.awaitStdout(out -> out.contains("Step 1 of 1000000"));

    r.interrupt();

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.INTERRUPTED);
    assertThat(r.stdout()).containsPattern("interrupted at step \\d+").contains("stopped");
  }
}
