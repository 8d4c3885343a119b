package dev.descartes.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {

  private static final Map<String, String> RUNNER =
      Map.of(
          "PATH",
          "/bin",
          "HOME",
          "/home/me",
          "ANTHROPIC_API_KEY",
          "k",
          "SECRET",
          "s",
          "PWD",
          "/elsewhere");

  @Test
  void withoutAnAllowListTheAgentInheritsEverythingThenBackendThenAgentVariablesWin() {
    Map<String, String> env =
        ChildEnvironment.build(
            RUNNER,
            Optional.empty(),
            Map.of("HOME", "/backend", "B", "1"),
            Map.of("B", "2", "C", "3"),
            Path.of("/work"),
            "id-1");
    assertThat(env)
        .containsEntry("PATH", "/bin")
        .containsEntry("SECRET", "s")
        .containsEntry("HOME", "/backend")
        .containsEntry("B", "2")
        .containsEntry("C", "3");
  }

  @Test
  void anAllowListPassesExactNamesAndPrefixesOnly() {
    Map<String, String> env =
        ChildEnvironment.build(
            RUNNER,
            Optional.of(Set.of("PATH", "ANTHROPIC_*")),
            Map.of(),
            Map.of(),
            Path.of("/work"),
            "id-1");
    assertThat(env)
        .containsEntry("PATH", "/bin")
        .containsEntry("ANTHROPIC_API_KEY", "k")
        .doesNotContainKeys("HOME", "SECRET");
  }

  @Test
  void pwdIsTheWorkingDirectoryAndTheCookieNamesTheAgentWhateverTheInputs() {
    Map<String, String> env =
        ChildEnvironment.build(
            RUNNER,
            Optional.empty(),
            Map.of(),
            Map.of(ChildEnvironment.COOKIE, "forged", "PWD", "/forged"),
            Path.of("/work"),
            "id-1");
    assertThat(env).containsEntry("PWD", "/work").containsEntry(ChildEnvironment.COOKIE, "id-1");
  }

  @Test
  void aStarMatchesAPrefixAndNothingElse() {
    assertThat(ChildEnvironment.allowed("OPENAI_KEY", Set.of("OPENAI_*"))).isTrue();
    assertThat(ChildEnvironment.allowed("OPENAI", Set.of("OPENAI_*"))).isFalse();
    assertThat(ChildEnvironment.allowed("X", Set.of("*"))).isTrue();
  }
}
