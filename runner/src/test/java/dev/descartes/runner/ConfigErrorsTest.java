package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a typed error that names what was wrong and says how to fix it. */
@ExtendWith(LeakCheck.class)
class ConfigErrorsTest {

  @TempDir Path dir;

  @Test
  void aMissingBinaryNamesTheCommandButNeverThePathsValue() {
    try (var runner = TestRunners.runner()) {
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder()
                          .name("x")
                          .command("no-such-agent-cli")
                          .env("PATH", "/opt/s3cr3t-token-dir:/usr/bin")
                          .build()))
          .isInstanceOfSatisfying(
              AgentException.SpawnFailed.class,
              e -> {
                assertThat(e.command()).isEqualTo("no-such-agent-cli");
                assertThat(e.getMessage())
                    .contains("no-such-agent-cli", "PATH", "2 directories searched", "install")
                    .doesNotContain("s3cr3t")
                    .doesNotContain("/usr/bin");
              });
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder()
                          .name("x")
                          .command(dir.resolve("absent").toString())
                          .build()))
          .isInstanceOf(AgentException.SpawnFailed.class)
          .hasMessageContaining("does not exist");
      assertThat(runner.listAgents()).isEmpty();
    }
  }

  @Test
  void aMissingBackendCliIsASpawnFailure() {
    try (var runner = TestRunners.runner()) {
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder()
                          .name("x")
                          .modelBackend("no-such-program-cli")
                          .task("t")
                          .env("PATH", dir.toString())
                          .build()))
          .isInstanceOfSatisfying(
              AgentException.SpawnFailed.class,
              e ->
                  assertThat(e.getMessage())
                      .contains("no-such-program")
                      .doesNotContain(dir.toString()));
    }
  }

  @Test
  void aNonExecutableFileSaysToChmodIt() throws Exception {
    Path f = Files.writeString(dir.resolve("agent.sh"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    try (var runner = TestRunners.runner()) {
      assertThatThrownBy(
              () -> runner.spawn(AgentConfig.builder().name("x").command(f.toString()).build()))
          .isInstanceOf(AgentException.SpawnFailed.class)
          .hasMessageContaining("chmod +x");
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder()
                          .name("x")
                          .command("agent.sh")
                          .env("PATH", dir.toString())
                          .build()))
          .isInstanceOf(AgentException.SpawnFailed.class)
          .hasMessageContaining("not executable")
          .hasMessageNotContaining(dir.toString());
    }
  }

  @Test
  void aMissingWorkingDirectoryIsInvalidConfigNamingTheField() {
    try (var runner = TestRunners.runner()) {
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder()
                          .name("x")
                          .command("true")
                          .workingDir(dir.resolve("nope"))
                          .build()))
          .isInstanceOfSatisfying(
              AgentException.InvalidConfig.class,
              e -> {
                assertThat(e.field()).isEqualTo("workingDir");
                assertThat(e.getMessage()).contains("does not exist", "create it");
              });
    }
  }

  @Test
  void environmentKeysThatCannotBePassedAreRejected() {
    for (String key : new String[] {"", "A=B", "A\0B"}) {
      Map<String, String> env = new HashMap<>();
      env.put(key, "v");
      assertThatThrownBy(
              () -> AgentConfig.builder().name("x").command("true").environment(env).build())
          .isInstanceOfSatisfying(
              AgentException.InvalidConfig.class,
              e -> assertThat(e.field()).isEqualTo("environment"));
    }
    assertThatThrownBy(() -> AgentConfig.builder().name("x").env("K", "a\0b").build())
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void anEmptyNameOrTaskIsRejectedWhereTheBackendNeedsOne() {
    try (var runner = TestRunners.runner()) {
      assertThatThrownBy(
              () -> runner.spawn(AgentConfig.builder().modelBackend("claude").task("t").build()))
          .isInstanceOfSatisfying(
              AgentException.InvalidConfig.class, e -> assertThat(e.field()).isEqualTo("name"));
      assertThatThrownBy(
              () -> runner.spawn(AgentConfig.builder().name("n").modelBackend("echo-cli").build()))
          .isInstanceOfSatisfying(
              AgentException.InvalidConfig.class, e -> assertThat(e.field()).isEqualTo("task"));
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder().name("n").modelBackend("mystery").task("t").build()))
          .isInstanceOfSatisfying(
              AgentException.InvalidConfig.class,
              e -> {
                assertThat(e.field()).isEqualTo("modelBackend");
                assertThat(e.getMessage()).contains("claude", "opencode", "-cli");
              });
    }
  }

  @Test
  void aTaskOverTheArgumentCapIsRejectedBeforeSpawning() {
    try (var runner = TestRunners.runner()) {
      String huge = "x".repeat(200 * 1024);
      assertThatThrownBy(
              () ->
                  runner.spawn(
                      AgentConfig.builder().name("n").modelBackend("echo-cli").task(huge).build()))
          .isInstanceOfSatisfying(
              AgentException.InvalidConfig.class,
              e -> {
                assertThat(e.field()).isEqualTo("task");
                assertThat(e.getMessage()).contains("128 KiB");
              });
    }
  }

  @Test
  void writingAfterExitIsACommunicationError() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h = runner.spawn(AgentConfig.builder().name("x").command("true").build());
      h.waitFor();
      assertThatThrownBy(() -> h.writeStdin("hi\n".getBytes()))
          .isInstanceOf(AgentException.Communication.class)
          .hasMessageContaining("exited");
      AgentHandle c =
          runner.spawn(
              AgentConfig.builder().name("c").command(Scripts.shell("cat; sleep 300")).build());
      c.closeStdin();
      assertThat(c.isStdinOpen()).isFalse();
      assertThatThrownBy(() -> c.writeStdin("hi\n".getBytes()))
          .isInstanceOf(AgentException.Communication.class)
          .hasMessageContaining("closed");
      c.kill();
      c.waitFor();
    }
  }

  @Test
  void anUnknownIdIsNotFound() {
    try (var runner = TestRunners.runner()) {
      AgentId id = AgentId.random();
      assertThatThrownBy(() -> runner.signal(id, AgentSignal.TERMINATE))
          .isInstanceOfSatisfying(
              AgentException.NotFound.class, e -> assertThat(e.id()).isEqualTo(id))
          .hasMessageContaining("listAgents");
      assertThatThrownBy(() -> runner.kill(id)).isInstanceOf(AgentException.NotFound.class);
      assertThat(runner.getAgent(id)).isEmpty();
      assertThat(runner.getHandle(id)).isEmpty();
      assertThat(runner.remove(id)).isFalse();
    }
    assertThatThrownBy(() -> AgentId.parse("not-a-uuid"))
        .isInstanceOf(AgentException.InvalidConfig.class);
  }

  @Test
  void invalidRunnerSettingsNameTheField() {
    assertThatThrownBy(() -> ProcessRunnerConfig.builder().maxConcurrentAgents(0).build())
        .isInstanceOfSatisfying(
            AgentException.InvalidConfig.class,
            e -> assertThat(e.field()).isEqualTo("maxConcurrentAgents"));
    assertThatThrownBy(
            () ->
                ProcessRunnerConfig.builder().healthCheckInterval(java.time.Duration.ZERO).build())
        .isInstanceOfSatisfying(
            AgentException.InvalidConfig.class,
            e -> assertThat(e.field()).isEqualTo("healthCheckInterval"));
  }

  @Test
  void aTranscriptDirThatCannotBeWrittenIsInvalidConfig() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "");
    try (var runner = TestRunners.runner(TestRunners.config().transcriptDir(file))) {
      assertThatThrownBy(
              () -> runner.spawn(AgentConfig.builder().name("x").command("true").build()))
          .isInstanceOfSatisfying(
              AgentException.InvalidConfig.class,
              e -> assertThat(e.field()).isEqualTo("transcriptDir"));
      assertThat(runner.listAgents()).isEmpty();
    }
  }
}
