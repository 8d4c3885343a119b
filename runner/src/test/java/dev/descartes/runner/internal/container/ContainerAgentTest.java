package dev.descartes.runner.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestImages;
import dev.descartes.runner.testing.TestRunners;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Command agents in Podman containers built here from the host's {@code /usr}: output, exit status
 * and the working directory as for a local agent; SIGINT and SIGTERM reach the agent inside (past
 * the engine's client and the container's init); kill leaves no container and no process;
 * environment values reach the agent but no command line; a missing image is a typed error.
 */
@ExtendWith(LeakCheck.class)
class ContainerAgentTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;
  LocalProcessRunner runner;

  @BeforeEach
  void start() {
    runner = TestRunners.runner();
  }

  @AfterEach
  void stop() {
    runner.close();
  }

  @AfterAll
  static void removeImage() {
    TestImages.remove();
  }

  private AgentConfig.Builder agent(String script) {
    return AgentConfig.builder()
        .name("boxed")
        .workingDir(work)
        .command("sh", "-c", script)
        .container(
            ContainerSpec.builder(TestImages.hostUsrImage())
                .mount(ContainerSpec.Mount.readOnly(java.nio.file.Path.of("/usr")))
                .build());
  }

  @Test
  void outputExitStatusAndWorkingDirectoryAreTheAgentsAndTheContainerIsRemoved() throws Exception {
    AgentHandle h =
        runner.spawn(agent("echo out; echo err >&2; pwd; echo made > made.txt; exit 7").build());

    ExitStatus st = h.waitFor(WAIT).orElseThrow();

    assertThat(st.code()).hasValue(7);
    assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
    assertThat(lines(h::readStdout)).containsExactly("out", work.toString());
    assertThat(lines(h::readStderr)).containsExactly("err");
    assertThat(Files.readString(work.resolve("made.txt"))).isEqualTo("made\n");
    assertThat(TestImages.containersOf(h.id().toString())).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(names = {"INTERRUPT", "TERMINATE"})
  void signalReachesTheAgentInsideTheContainer(AgentSignal signal) throws Exception {
    AgentHandle h =
        runner.spawn(
            agent(
                    "trap 'echo got INT; exit 4' INT; trap 'echo got TERM; exit 5' TERM; "
                        + "echo ready; while :; do sleep 0.1; done")
                .build());
    awaitLine(h, "ready");

    h.signal(signal);

    ExitStatus st = h.waitFor(WAIT).orElseThrow();
    assertThat(lines(h::readStdout))
        .as("exit %s, stderr %s", st, lines(h::readStderr))
        .containsExactly(signal == AgentSignal.INTERRUPT ? "got INT" : "got TERM");
    assertThat(st.code()).hasValue(signal == AgentSignal.INTERRUPT ? 4 : 5);
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    assertThat(TestImages.containersOf(h.id().toString())).isEmpty();
  }

  @Test
  void killLeavesNoContainerAndNoProcess() throws Exception {
    AgentHandle h = runner.spawn(agent("trap '' INT TERM; sleep 1000 & echo ready; wait").build());
    awaitLine(h, "ready");
    String name = "descartes-" + h.id();

    h.kill();

    h.waitFor(WAIT).orElseThrow();
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    assertThat(TestImages.containersOf(h.id().toString())).isEmpty();
    await().atMost(WAIT).until(() -> processesMentioning(name).isEmpty());
  }

  @Test
  void environmentValuesReachTheAgentButNoCommandLine() throws Exception {
    String secret = "s3cret-" + System.nanoTime();
    AgentHandle h =
        runner.spawn(
            agent("echo \"$AGENT_SECRET\"; read line; exit 0").env("AGENT_SECRET", secret).build());
    awaitLine(h, secret);

    assertThat(processesMentioning(secret)).as("command lines holding the value").isEmpty();

    h.closeStdin();
    assertThat(h.waitFor(WAIT).orElseThrow().success()).isTrue();
  }

  @Test
  void memoryAndProcessLimitsBecomeTheContainersCgroupLimits() throws Exception {
    AgentHandle h =
        runner.spawn(
            agent(
                    "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null "
                        + "|| cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max")
                .limits(ResourceLimits.builder().memoryBytes(64L << 20).maxProcesses(50).build())
                .build());

    assertThat(h.waitFor(WAIT).orElseThrow().success())
        .as("stderr %s", lines(h::readStderr))
        .isTrue();
    assertThat(lines(h::readStdout)).containsExactly(String.valueOf(64L << 20), "50");
  }

  @Test
  void anImageThatIsNotOnTheMachineIsASpawnFailureThatSaysSo() {
    AgentConfig config =
        AgentConfig.builder()
            .name("nope")
            .workingDir(work)
            .command("true")
            .container(ContainerSpec.of("localhost/descartes-no-such-image:" + System.nanoTime()))
            .build();
    TestImages.hostUsrImage(); // skips where podman does not work

    assertThatThrownBy(() -> runner.spawn(config))
        .isInstanceOf(AgentException.SpawnFailed.class)
        .hasMessageContaining("is not on this machine")
        .hasMessageContaining("never pulls");
    assertThat(runner.listAgents()).isEmpty();
  }

  private static void awaitLine(AgentHandle h, String line) {
    List<String> seen = new ArrayList<>();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Optional<byte[]> l = h.readStdout(Duration.ofMillis(200));
              l.ifPresent(b -> seen.add(new String(b, StandardCharsets.UTF_8).strip()));
              return seen.contains(line) || (h.status().isTerminal() && l.isEmpty());
            });
    assertThat(seen).as("stderr: %s", lines(h::readStderr)).contains(line);
  }

  interface LineSource {
    Optional<byte[]> next() throws Exception;
  }

  private static List<String> lines(LineSource source) {
    List<String> out = new ArrayList<>();
    try {
      Optional<byte[]> l;
      while ((l = source.next()).isPresent()) {
        out.add(new String(l.get(), StandardCharsets.UTF_8).strip());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** Live processes whose command line contains {@code text}, as "pid cmdline". */
  static List<String> processesMentioning(String text) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmd =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ');
          if (cmd.contains(text)) {
            out.add(p.getFileName() + " " + cmd);
          }
        } catch (IOException gone) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
