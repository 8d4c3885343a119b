package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backends build their command line from the config, never through a shell: the generic rule
 * passes the task as one argv element, the CLI backends send it on stdin. Stand-in programs on the
 * agent's PATH print what they receive.
 */
@ExtendWith(LeakCheck.class)
class BackendCommandLineTest {

  private static final String NASTY_TASK =
      "Research \"AI\" $(touch /tmp/pwned) `id`; rm -rf / && echo 'x' | cat *";

  @TempDir Path bin;

  private static final String PRINT_ARGS =
      "for a in \"$@\"; do printf '%s\\n' \"$a\" | tr '\\n' '\\036'; echo; done";

  private List<String> run(AgentConfig.Builder config) throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(config.env("PATH", bin + ":/usr/bin:/bin").build());
      h.waitFor();
      List<String> args = new ArrayList<>();
      Optional<OutputLine> l;
      while ((l = h.stdout().poll()).isPresent()) {
        args.add(l.get().text().replace('\036', '\n').replaceAll("\n$", ""));
      }
      return args;
    }
  }

  @Test
  void genericCliRunsTheProgramWithTheTaskAsOneArgument() throws Exception {
    Scripts.sh(bin, "custom", PRINT_ARGS);
    assertThat(run(AgentConfig.builder().name("g").modelBackend("custom-cli").task(NASTY_TASK)))
        .containsExactly(NASTY_TASK);
    assertThat(Path.of("/tmp/pwned")).doesNotExist();
  }

  @Test
  void genericCliPassesContextAndSystemPromptInTheEnvironment() throws Exception {
    Scripts.sh(bin, "custom", "echo \"$DESCARTES_CONTEXT\"; echo \"$DESCARTES_SYSTEM_PROMPT\"");
    assertThat(
            run(
                AgentConfig.builder()
                    .name("g")
                    .modelBackend("custom-cli")
                    .task("t")
                    .context("Focus on LLMs")
                    .systemPrompt("You are a researcher")))
        .containsExactly("Focus on LLMs", "You are a researcher");
  }

  @Test
  void claudeRunsHeadlessWithAJsonEventStreamAndThePromptOnStdin() throws Exception {
    Scripts.sh(bin, "claude", PRINT_ARGS + "; echo stdin:; cat; echo");
    assertThat(
            run(
                AgentConfig.builder()
                    .name("c")
                    .modelBackend("claude")
                    .task(NASTY_TASK)
                    .systemPrompt("You are a researcher")
                    .model("sonnet")))
        .containsExactly(
            "-p",
            "--output-format",
            "stream-json",
            "--verbose",
            "--model",
            "sonnet",
            "--system-prompt",
            "You are a researcher",
            "stdin:",
            NASTY_TASK);
    assertThat(Path.of("/tmp/pwned")).doesNotExist();
  }

  @Test
  void claudeGetsATaskThatLooksLikeAFlagOverStdin() throws Exception {
    Scripts.sh(bin, "claude", PRINT_ARGS + "; echo stdin:; cat");
    assertThat(run(AgentConfig.builder().name("c").modelBackend("claude").task("--help me")))
        .containsExactly(
            "-p", "--output-format", "stream-json", "--verbose", "stdin:", "--help me");
  }

  @Test
  void opencodeUsesRunBecauseHeadlessDoesNotExist() throws Exception {
    Scripts.sh(bin, "opencode", PRINT_ARGS + "; echo stdin:; cat; echo");
    assertThat(run(AgentConfig.builder().name("o").modelBackend("opencode").task(NASTY_TASK)))
        .containsExactly("run", "--format", "json", "stdin:", NASTY_TASK);
  }

  @Test
  void anExplicitCommandRunsExactlyThatArgv() throws Exception {
    Path prog = Scripts.sh(bin, "anything", PRINT_ARGS);
    assertThat(
            run(
                AgentConfig.builder()
                    .name("x")
                    .modelBackend("claude")
                    .command(prog.toString(), "a b", "", "*", "$HOME")))
        .containsExactly("a b", "", "*", "$HOME");
  }

  @Test
  void aUserBackendRegisteredInTheConfigIsUsedByName() throws Exception {
    Scripts.sh(bin, "mine", PRINT_ARGS);
    AgentBackend mine =
        new AgentBackend() {
          @Override
          public String name() {
            return "mine";
          }

          @Override
          public LaunchSpec launch(AgentConfig config) {
            return new LaunchSpec(
                List.of("mine", "--task", config.task()),
                java.util.Map.of(),
                LaunchSpec.Stdin.CLOSE_AFTER_INPUT,
                null);
          }
        };
    try (var runner = TestRunners.runner(TestRunners.config().backend(mine))) {
      assertThat(runner.backends()).contains("claude", "opencode", "mine");
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("m")
                  .modelBackend("mine")
                  .task("do it")
                  .env("PATH", bin + ":/usr/bin:/bin")
                  .build());
      h.waitFor();
      assertThat(h.readStdout()).map(String::new).contains("--task\036\n");
      assertThat(h.readStdout()).map(String::new).contains("do it\036\n");
    }
  }
}
