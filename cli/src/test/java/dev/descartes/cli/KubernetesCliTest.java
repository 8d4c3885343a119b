package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner: kubernetes} and {@code --runner kubernetes}: what is refused before anything
 * starts.
 */
@ExtendWith(CliLeakCheck.class)
class KubernetesCliTest {

  @TempDir Path dir;

  @Test
  void aKubernetesRunnerWithoutItsSectionIsReportedAtItsPlace() throws Exception {
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        runner: kubernetes
        agents:
          reviewer: {backend: claude, task: Review}
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", "fleet.yaml");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(65);
    assertThat(r.stderr()).contains("fleet.yaml:1:").contains("no kubernetes: section");
  }

  @Test
  void aKubernetesSectionWithoutAnImageIsReportedAtItsPlace() throws Exception {
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        agents:
          reviewer: {backend: claude, task: Review}
        kubernetes:
          namespace: descartes
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", "fleet.yaml", "--runner", "kubernetes");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(65);
    assertThat(r.stderr()).contains("kubernetes.image: is missing");
  }

  @Test
  void theKubernetesRunnerNeedsAFleetFile() {
    Cli.Running r =
        Cli.run(dir, Map.of(), "run", "--runner", "kubernetes", "Review the last commit");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(64);
    assertThat(r.stderr()).contains("--runner").contains("needs a fleet file");
  }
}
