package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * descartes under a pseudo-terminal ({@code script} from util-linux gives it one): colours, and the
 * live status line redrawn in place with {@code \r} and ANSI erase-line.
 */
@ExtendWith(CliLeakCheck.class)
class TerminalTest {

  private static final String ERASE = "\r\u001b[2K";

  @TempDir Path dir;

  @Test
  void showsColoursAndALiveStatusLine() throws Exception {
    Cli.Running r = underTerminal(Map.of());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    String screen = r.stdout();
    String plain = screen.replaceAll("\u001b\\[[0-9;]*m", "");
    assertThat(screen).contains(ERASE);
    assertThat(plain)
        .containsPattern(
            Pattern.quote(ERASE)
                + "[^ ] \\d+ running(?: · \\d+ (?:busy|idle|waiting for input))* · \\d+ completed · \\d+ failed · \\d\\d:\\d\\d");
    // the status line is redrawn after every line, so it shows each agent's end at once
    assertThat(screen).contains("\u001b[32m1 completed\u001b[0m", "\u001b[31m1 failed\u001b[0m");
    assertThat(screen)
        .contains(
            "\u001b[36mquick | \u001b[0m", "\u001b[33mslow  | \u001b[0m") // one colour per agent
        .contains("\u001b[32mcompleted", "\u001b[31mfailed"); // the summary's state column
    assertThat(plain).containsPattern("\\d\\d:\\d\\d · \\$0\\.0\\d{3}"); // cost so far
    // the status line is erased for good before the summary
    String summary = screen.substring(screen.lastIndexOf(ERASE) + ERASE.length());
    assertThat(summary).contains("AGENT").contains("quick").doesNotContain("running ·");
  }

  @Test
  void noColorKeepsTheStatusLineButDropsColours() throws Exception {
    Cli.Running r = underTerminal(Map.of("NO_COLOR", "1"));

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stdout())
        .contains(ERASE)
        .containsPattern(
            Pattern.quote(ERASE)
                + "[^ ] \\d+ running(?: · \\d+ (?:busy|idle|waiting for input))* · \\d+ completed · \\d+ failed")
        .doesNotContain("\u001b[3");
  }

  @Test
  void anEmptyNoColorKeepsColours() throws Exception {
    Cli.Running r =
        underTerminal(Map.of("NO_COLOR", "")); // no-color.org: only present and not empty counts

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stdout()).contains("\u001b[32m1 completed\u001b[0m");
  }

  private Cli.Running underTerminal(Map<String, String> extraEnv) throws Exception {
    Path fleet =
        Files.writeString(
            dir.resolve("tty.yaml"),
            """
        agents:
          quick:
            command: [%1$s]
            env: {STEPS: 2, DELAY: 0.2, COST: 0.0042}
          slow:
            command: [%1$s]
            env: {STEPS: 3, DELAY: 0.3, COST: 0.0100, FAIL: "slow gives up"}
        """
                .formatted(Cli.examples().resolve("agents/fake-agent.sh")));
    String command =
        Cli.command("run", "-f", fleet.toString()).stream()
            .map(a -> "'" + a.replace("'", "'\\''") + "'")
            .collect(Collectors.joining(" "));
    Map<String, String> env = new HashMap<>(Cli.env(extraEnv));
    env.put("LANG", "C.UTF-8");
    env.put("TERM", "xterm-256color");
    env.remove("COLUMNS");
    // script runs the command on a new pseudo-terminal and copies what it shows to stdout
    return runToEnd(Cli.launch(dir, List.of("script", "-qfec", command, "/dev/null"), env));
  }

  private static Cli.Running runToEnd(Cli.Running r) {
    r.exitCode();
    return r;
  }
}
