package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.Scripts;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descartes backends}: each backend, whether its CLI is installed, where, and its version.
 */
@ExtendWith(CliLeakCheck.class)
class BackendsTest {

  @TempDir Path dir;

  @Test
  void listsEveryBackendWithItsInstalledVersion() {
    Path claude = Scripts.sh(dir, "claude", "echo '9.9.9 (Claude Code)'");
    Cli.Running r = Cli.run(dir, Map.of("PATH", dir + ":/usr/bin:/bin"), "backends");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines().getFirst()).matches("BACKEND +PROGRAM +INSTALLED +VERSION +PATH");
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("claude +claude +yes +9\\.9\\.9 \\(Claude Code\\) +" + claude))
        .anyMatch(l -> l.matches("opencode +opencode +no +install: npm install -g opencode-ai +-"))
        .anyMatch(l -> l.startsWith("<program>-cli"));
    assertThat(r.stderr()).isEmpty();
  }
}
