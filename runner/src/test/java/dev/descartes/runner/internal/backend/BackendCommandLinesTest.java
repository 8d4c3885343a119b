package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.TemplateBackend;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backends build command lines a real process receives intact, refuse what their CLI cannot do, and
 * a template backend with a chosen event format yields the same outcome as a built-in one. The
 * "CLIs" here are small shell scripts that record their argv and stdin.
 */
@ExtendWith(LeakCheck.class)
class BackendCommandLinesTest {

  @TempDir Path dir;

  @Test
  void templateBackendSendsAMegabytePromptOnStdinAndParsesClaudeStyleOutput() throws Exception {
    Path cli =
        Scripts.sh(
            dir,
            "fake-cli",
            """
        printf '%s\\n' "$@" > "$(dirname "$0")/argv"
        cat > "$(dirname "$0")/stdin"
        echo '{"type":"system","subtype":"init","session_id":"s-1","model":"m"}'
        echo '{"type":"result","subtype":"success","is_error":false,"result":"fine","num_turns":1,"usage":{"input_tokens":1,"output_tokens":2}}'
        """);
    TemplateBackend backend =
        TemplateBackend.builder("fake")
            .command(cli.toString(), "--model", "{model}", "--resume", "{session}")
            .promptOnStdin()
            .eventFormat("claude")
            .build();
    String context = "x".repeat(1 << 20);
    try (LocalProcessRunner runner = TestRunners.runner(TestRunners.config().backend(backend))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("t")
                  .modelBackend("fake")
                  .task("-rf is a task, not a flag")
                  .context(context)
                  .model("m1")
                  .build());
      h.waitFor(Duration.ofMinutes(1)).orElseThrow();
      AgentOutcome outcome = h.outcome().orElseThrow();
      assertThat(outcome.success()).isTrue();
      assertThat(outcome.resultText()).contains("fine");
      assertThat(outcome.sessionId()).contains("s-1");
      assertThat(outcome.outputTokens()).isEqualTo(2);
    }
    assertThat(Files.readAllLines(dir.resolve("argv"))).containsExactly("--model", "m1");
    String stdin = Files.readString(dir.resolve("stdin"), StandardCharsets.UTF_8);
    assertThat(stdin).startsWith("-rf is a task, not a flag").contains(context);
  }

  @Test
  void genericCliPutsADashTaskAfterDoubleDash() throws Exception {
    Scripts.sh(dir, "echoargs", "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/argv\"");
    try (LocalProcessRunner runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("g")
                  .modelBackend("echoargs-cli")
                  .task("--help me")
                  .env("PATH", dir + ":" + System.getenv("PATH"))
                  .build());
      h.waitFor(Duration.ofMinutes(1)).orElseThrow();
      assertThat(h.outcome().orElseThrow().success()).isTrue();
    }
    assertThat(Files.readAllLines(dir.resolve("argv"))).containsExactly("--", "--help me");
  }

  @Test
  void backendsWithoutAMultiTurnModeRefuseOneNamingTheField() {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      for (String backend : new String[] {"codex", "gemini", "opencode"}) {
        assertThatThrownBy(
                () ->
                    runner.spawn(
                        AgentConfig.builder()
                            .name("x")
                            .modelBackend(backend)
                            .task("t")
                            .multiTurn(true)
                            .build()))
            .isInstanceOfSatisfying(
                AgentException.InvalidConfig.class,
                e -> assertThat(e.field()).isEqualTo("multiTurn"));
      }
    }
  }

  @Test
  void templateBackendRefusesAPromptPlaceholderWhenThePromptGoesOnStdin() {
    assertThatThrownBy(
            () -> TemplateBackend.builder("bad").command("x", "{prompt}").promptOnStdin().build())
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageContaining("{prompt}");
  }

  @Test
  void anAgentThatEndsWithoutAResultFailedWithNoResult() throws Exception {
    Path cli =
        Scripts.sh(
            dir,
            "silent",
            "cat > /dev/null; echo '{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\"}'");
    TemplateBackend backend =
        TemplateBackend.builder("silent")
            .command(cli.toString())
            .promptOnStdin()
            .eventFormat("claude")
            .build();
    try (LocalProcessRunner runner = TestRunners.runner(TestRunners.config().backend(backend))) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("s").modelBackend("silent").task("t").build());
      h.waitFor(Duration.ofMinutes(1)).orElseThrow();
      AgentOutcome outcome = h.outcome().orElseThrow();
      assertThat(outcome.exitStatus().success()).isTrue();
      assertThat(outcome.success()).isFalse();
      assertThat(outcome.errorKind()).contains(AgentOutcome.ErrorKind.NO_RESULT);
      assertThat(outcome.sessionId()).contains("s");
    }
  }
}
