package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM is the child subreaper of its agents' trees, so it reaps what it adopts: a tool that
 * started its own session, outlived its agent and the agent's cleanup, and died later does not stay
 * a zombie of the JVM.
 */
@ExtendWith(LeakCheck.class)
class OrphanReapingTest {

  private static final long SELF = ProcessHandle.current().pid();

  @TempDir Path dir;

  @Test
  void aToolThatDiesAfterItsAgentHasEndedIsReapedByTheRunner() throws Exception {
    Path release = dir.resolve("release");
    Path script =
        Scripts.sh(
            dir,
            "leaves-a-tool.sh",
            """
        setsid sh -c 'while [ ! -e "$1" ]; do sleep 0.05; done' sh "$1" </dev/null >/dev/null 2>&1 &
        echo $!
        """);
    try (var runner =
        TestRunners.runner(
            TestRunners.config().killOrphansOnExit(false).enableHealthChecks(false))) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder()
                  .name("orphaning")
                  .command(script.toString(), release.toString())
                  .build());
      long tool =
          Long.parseLong(new String(h.readStdout(Duration.ofSeconds(30)).orElseThrow()).trim());
      assertThat(h.waitFor().success()).isTrue();

      await().atMost(Duration.ofSeconds(30)).until(() -> parentOf(tool) == SELF);
      Files.writeString(release, "go");

      await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(Path.of("/proc/" + tool)));
    }
  }

  private static long parentOf(long pid) throws Exception {
    String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[1]);
  }
}
