package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write errors are errors: when descartes cannot write its output it stops the agents, says so in
 * one line on stderr, and exits 141 (a closed pipe) or 74 (any other I/O error). The agents are
 * gone when it ends ({@link CliLeakCheck}).
 */
@ExtendWith(CliLeakCheck.class)
class WriteErrorTest {

  /** An agent that would write for hours. */
  private static final String[] ENDLESS = {"run", "--raw", "-b", "seq-cli", "999999999999"};

  @TempDir Path dir;

  @Test
  void aFullDiskStopsTheAgentsAndExits74() {
    Cli.Running r = Cli.launch(dir, shell("exec " + command() + " > /dev/full"), Cli.env(Map.of()));

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.IO_ERR);
    assertThat(r.stderr().lines().toList())
        .as(r.stderr())
        .hasSize(1)
        .first()
        .asString()
        .startsWith("stdout failed (No space left on device): stopping 1 agent gracefully");
  }

  @Test
  void aClosedStdoutStopsTheAgentsAndExits74() {
    Cli.Running r = Cli.launch(dir, shell("exec " + command() + " >&-"), Cli.env(Map.of()));

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.IO_ERR);
    assertThat(r.stderr())
        .startsWith("stdout failed (Bad file descriptor): stopping 1 agent gracefully");
  }

  @Test
  void aReaderThatGoesAwayStopsTheAgentsAndExits141() throws Exception {
    Path rc = dir.resolve("rc");
    Cli.Running r =
        Cli.launch(
            dir,
            shell("{ " + command() + "; echo $? > " + rc + "; } | head -1"),
            Cli.env(Map.of()));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("1\n");
    assertThat(Files.readString(rc).strip()).isEqualTo(String.valueOf(ExitCodes.BROKEN_PIPE));
    assertThat(r.stderr()).startsWith("stdout closed: stopping 1 agent gracefully");
  }

  private static String command() {
    List<String> argv = new ArrayList<>(Cli.command(ENDLESS));
    return argv.stream()
        .map(a -> "'" + a.replace("'", "'\\''") + "'")
        .collect(Collectors.joining(" "));
  }

  private static List<String> shell(String script) {
    return List.of("sh", "-c", script);
  }
}
