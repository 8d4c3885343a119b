package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descartes.runner.testing.Scripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descartes run "task"}: one agent, in each output format, with its outcome as exit code.
 */
@ExtendWith(CliLeakCheck.class)
class SingleRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void showsWhatTheAgentDidAndExitsZeroWhenItSucceeds() {
    Cli.Running r =
        Cli.run(
            dir,
            Map.of("STEPS", "2", "DELAY", "0", "COST", "0.25"),
            "run",
            "--backend",
            "fake-agent.sh-cli",
            "Count the files");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout())
        .contains("Step 1 of 2: Count the files", "Step 2 of 2: Count the files")
        .contains("Bash  ls -1")
        .contains("Done: Count the files")
        .containsPattern("completed in [0-9.]+m?s, \\$0\\.2500, 2 turns")
        .doesNotContain("{\"type\"")
        .doesNotContain("\u001b["); // not a terminal: no colours
  }

  @Test
  void exitCodeIsTheAgentsOwnWhenItFails() {
    Path failing = Scripts.sh(dir, "exit-7", "echo 'about to fail'; echo 'it broke' >&2; exit 7");
    Cli.Running r =
        Cli.run(
            dir,
            Map.of("PATH", dir + ":" + System.getenv("PATH")),
            "run",
            "--backend",
            "exit-7-cli",
            "anything");

    assertThat(failing).exists();
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(7);
    assertThat(r.stdout()).contains("about to fail").contains("failed (exit 7)");
    assertThat(r.stderr()).contains("it broke");
  }

  @Test
  void anAgentThatReportsAnErrorFailsTheRun() {
    Cli.Running r =
        Cli.run(
            dir,
            Map.of("STEPS", "1", "DELAY", "0", "FAIL", "the build is red"),
            "run",
            "--backend",
            "fake-agent.sh-cli",
            "Build it");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stdout()).contains("the build is red").contains("failed (exit 1)");
  }

  @Test
  void jsonPrintsOneNormalizedEventPerLine() throws Exception {
    Cli.Running r =
        Cli.run(
            dir,
            Map.of("STEPS", "1", "DELAY", "0", "COST", "0.5"),
            "run",
            "--json",
            "--backend",
            "fake-agent.sh-cli",
            "Say hi");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<String> types = new ArrayList<>();
    for (String line : r.stdoutLines()) {
      JsonNode event = JSON.readTree(line);
      assertThat(event.path("agent").asText()).isEqualTo("fake-agent.sh-cli");
      assertThat(event.path("at").asText()).isNotEmpty();
      types.add(event.path("type").asText());
    }
    assertThat(types)
        .containsExactly(
            "started",
            "session_started",
            "assistant_text",
            "tool_call",
            "tool_result",
            "assistant_text",
            "usage",
            "result",
            "exited");
    JsonNode exited = JSON.readTree(r.stdoutLines().getLast());
    assertThat(exited.path("state").asText()).isEqualTo("completed");
    assertThat(exited.path("exit_code").asInt()).isZero();
    assertThat(exited.path("cost_usd").asDouble()).isEqualTo(0.5);
  }

  @Test
  void rawPrintsTheClisOwnLines() {
    Cli.Running r =
        Cli.run(
            dir,
            Map.of("STEPS", "1", "DELAY", "0"),
            "run",
            "--raw",
            "--backend",
            "fake-agent.sh-cli",
            "Say hi");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines()).hasSize(6); // init, text, tool call, tool result, text, result
    assertThat(r.stdoutLines().getFirst()).startsWith("{\"type\":\"system\",\"subtype\":\"init\"");
    assertThat(r.stdoutLines().getLast())
        .startsWith("{\"type\":\"result\",\"subtype\":\"success\"");
  }

  @Test
  void passesModelSystemPromptContextCwdAndEnvToTheBackend() throws Exception {
    // a stand-in for the claude CLI that answers with what it was given (the prompt comes on stdin)
    Scripts.sh(
        dir,
        "claude",
        """
        printf '{"type":"result","subtype":"success","is_error":false,"result":"cwd=%s greeting=%s args=%s stdin=%s"}\\n' \\
          "$PWD" "$GREETING" "$*" "$(tr '\\n' ' ')"
        """);
    Path work = java.nio.file.Files.createDirectory(dir.resolve("work"));
    java.nio.file.Files.writeString(dir.resolve("context.md"), "the context");
    Cli.Running r =
        Cli.run(
            dir,
            Map.of("PATH", dir + ":" + System.getenv("PATH")),
            "run",
            "--backend",
            "claude",
            "--model",
            "opus",
            "--system-prompt",
            "Be brief",
            "--context-file",
            "context.md",
            "--cwd",
            "work",
            "--env",
            "GREETING=hello",
            "Review it");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout())
        .contains("cwd=" + work.toAbsolutePath())
        .contains("greeting=hello")
        .contains(
            "args=-p --output-format stream-json --verbose --model opus --system-prompt Be brief")
        .containsPattern("stdin=Review it .*the context");
  }
}
