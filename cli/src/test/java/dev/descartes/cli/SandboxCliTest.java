package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.MachineSupport;
import dev.descartes.runner.testing.Scripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descartes doctor}, and sandboxes from the command line ({@code --sandbox}, {@code
 * --network}) and from fleet files ({@code sandbox:} at the top and per agent).
 */
@ExtendWith(CliLeakCheck.class)
class SandboxCliTest {

  /** A probe that tells whether it could write outside its folder and open an IP socket. */
  private static final String PROBE =
      """
      touch /usr/planted-by-descartes-test 2>/dev/null && echo outside-writable || echo outside-read-only
      if bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>&1 | grep -q 'not permitted'; then echo no-ip; else echo ip; fi
      """;

  @TempDir Path dir;

  private static void assumeSandboxes() {
    MachineSupport.Feature bwrap = MachineSupport.detect().feature("bubblewrap").orElseThrow();
    assumeTrue(bwrap.available(), () -> "no sandboxes on this machine: " + bwrap.detail());
  }

  @Test
  void doctorListsWhatThisMachineSupportsAndExitsZero() {
    Cli.Running r = Cli.run(dir, Map.of(), "doctor");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines()).anyMatch(l -> l.matches("FEATURE +OK +DETAIL"));
    for (String feature :
        new String[] {
          "native engine",
          "jdk engine",
          "pidfd",
          "cgroups",
          "user namespaces",
          "bubblewrap",
          "socat",
          "landlock",
          "seccomp",
          "podman",
          "runc"
        }) {
      assertThat(r.stdoutLines())
          .as(feature)
          .anyMatch(l -> l.matches(feature + " +(yes|no) +\\S.*"));
    }
  }

  @Test
  void runWithNetworkNoneSandboxesTheAgent() throws Exception {
    assumeSandboxes();
    Scripts.sh(dir, "probe", PROBE);
    Cli.Running r =
        Cli.run(
            dir,
            Map.of("PATH", dir + ":" + System.getenv("PATH")),
            "run",
            "--backend",
            "probe-cli",
            "--network",
            "none",
            "check");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).contains("outside-read-only", "no-ip");
    assertThat(Path.of("/usr/planted-by-descartes-test")).doesNotExist();
  }

  @Test
  void aFleetsSandboxAppliesToEveryAgentThatDoesNotOptOut() throws Exception {
    assumeSandboxes();
    Path probe = Scripts.sh(dir, "probe", PROBE);
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        sandbox:
          network: none
        agents:
          boxed:
            command: [%s]
          mapped:
            command: [%s]
            sandbox: {network: [127.0.0.1:9], filesystem: read-only}
        """
            .formatted(probe, probe));

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", "fleet.yaml");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("boxed +\\| outside-read-only"))
        .anyMatch(l -> l.matches("boxed +\\| no-ip"))
        .anyMatch(l -> l.matches("mapped +\\| outside-read-only"))
        .anyMatch(l -> l.matches("mapped +\\| ip"));
  }

  @Test
  void aWrongSandboxFieldIsReportedAtItsPlace() throws Exception {
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        agents:
          a:
            command: [true]
            sandbox:
              network: everywhere
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", "fleet.yaml");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(65);
    assertThat(r.stderr())
        .contains(
            "fleet.yaml:5:16: agents.a.sandbox.network: 'everywhere' is not a network policy");
  }
}
