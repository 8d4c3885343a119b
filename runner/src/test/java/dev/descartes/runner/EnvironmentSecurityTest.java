package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Environment values (API keys) never show in toString, info or exception messages; an allow-list
 * keeps the runner's own secrets from agents; per-agent working directories isolate agents.
 * Surefire sets DESCARTES_TEST_SECRET in this JVM's environment.
 */
@ExtendWith(LeakCheck.class)
class EnvironmentSecurityTest {

  private static final String SECRET = "sk-live-0123456789abcdef";

  @TempDir Path dir;

  private static List<String> lines(AgentHandle h) {
    List<String> out = new ArrayList<>();
    Optional<OutputLine> l;
    while ((l = h.stdout().poll()).isPresent()) {
      out.add(l.get().text());
    }
    return out;
  }

  @Test
  void environmentValuesNeverAppearInToStringInfoOrErrors() throws Exception {
    AgentConfig config =
        AgentConfig.builder()
            .name("k")
            .command("no-such-binary-xyz")
            .env("ANTHROPIC_API_KEY", SECRET)
            .build();
    assertThat(config.toString()).contains("ANTHROPIC_API_KEY").doesNotContain(SECRET);
    try (var runner = TestRunners.runner()) {
      assertThatThrownBy(() -> runner.spawn(config))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
      AgentHandle h = runner.spawn(config.toBuilder().command("true").build());
      h.waitFor();
      assertThat(h.info().toString()).doesNotContain(SECRET);
      assertThat(h.toString()).doesNotContain(SECRET);
      assertThat(h.config().toString()).doesNotContain(SECRET);
      assertThatThrownBy(() -> h.writeStdin(new byte[] {1}))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }
  }

  @Test
  void agentsInheritTheRunnersEnvironmentByDefault() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("env").command("env").build());
      h.waitFor();
      assertThat(lines(h))
          .contains("DESCARTES_TEST_SECRET=" + System.getenv("DESCARTES_TEST_SECRET"));
    }
  }

  @Test
  void anAllowListedEnvironmentKeepsTheRunnersSecretsFromAgents() throws Exception {
    assertThat(System.getenv("DESCARTES_TEST_SECRET")).as("set by surefire").isNotBlank();
    try (var runner = TestRunners.runner(TestRunners.config().allowListedEnvironment())) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder().name("env").command("env").env("GIVEN", "yes").build());
      h.waitFor();
      List<String> env = lines(h);
      assertThat(env).noneMatch(l -> l.startsWith("DESCARTES_TEST_SECRET="));
      assertThat(env).contains("GIVEN=yes", "PATH=" + System.getenv("PATH"));
      assertThat(env).anyMatch(l -> l.startsWith("DESCARTES_AGENT_ID=" + h.id()));
    }
  }

  @Test
  void eachAgentRunsInItsOwnWorkingDirectoryWithPwdSet() throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    try (var runner = TestRunners.runner(TestRunners.config().workingDir(a))) {
      AgentHandle inA =
          runner.spawn(
              AgentConfig.builder().name("a").command(Scripts.shell("pwd -P; echo $PWD")).build());
      AgentHandle inB =
          runner.spawn(
              AgentConfig.builder()
                  .name("b")
                  .command(Scripts.shell("pwd -P; echo $PWD"))
                  .workingDir(b)
                  .build());
      inA.waitFor();
      inB.waitFor();
      assertThat(lines(inA)).containsExactly(a.toRealPath().toString(), a.toString());
      assertThat(lines(inB)).containsExactly(b.toRealPath().toString(), b.toString());
    }
  }
}
