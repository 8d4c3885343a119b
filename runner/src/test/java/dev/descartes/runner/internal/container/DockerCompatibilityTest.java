package dev.descartes.runner.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.AgentId;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.ContainerSupport;
import dev.descartes.runner.ResourceLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Docker CLI gets the same {@code run} options as Podman (only Podman's own engine options,
 * such as {@code --runtime}, differ), and a Docker CLI too old for them is refused at detection. No
 * Docker daemon runs here: this checks the argv, not a Docker run.
 */
class DockerCompatibilityTest {

  private static ContainerSupport engine(String kind, List<String> engineOptions) {
    return new ContainerSupport(
        Optional.of(Path.of("/usr/bin/" + kind)),
        kind,
        Optional.of("1"),
        engineOptions,
        List.of("--ulimit", "nofile=1024:1024"),
        List.of(),
        List.of());
  }

  @Test
  void dockerAndPodmanGetTheSameRunOptions() {
    AgentId id = AgentId.random();
    ContainerSpec spec = ContainerSpec.of("localhost/agents:1");
    List<String> limits =
        ContainerLaunch.limits(ResourceLimits.builder().memoryBytes(64L << 20).build());
    Path cwd = Path.of("/work/project");

    List<String> podman =
        ContainerLaunch.unchecked(engine("podman", List.of("--runtime", "runc")), id)
            .command(spec, id, "a", List.of("sh", "-c", "true"), List.of("KEY"), cwd, limits);
    List<String> docker =
        ContainerLaunch.unchecked(engine("docker", List.of()), id)
            .command(spec, id, "a", List.of("sh", "-c", "true"), List.of("KEY"), cwd, limits);

    assertThat(docker.subList(1, docker.size())).isEqualTo(podman.subList(3, podman.size()));
    assertThat(docker).contains("--pull", "never").containsSubsequence("--env", "KEY");
  }

  @Test
  void aDockerCliOlderThan2010IsRefusedForWantOfPullNever() {
    assertThat(ContainerEngines.dockerTakesPullNever("28.2.2")).isTrue();
    assertThat(ContainerEngines.dockerTakesPullNever("20.10.7")).isTrue();
    assertThat(ContainerEngines.dockerTakesPullNever("20.04.1")).isFalse();
    assertThat(ContainerEngines.dockerTakesPullNever("19.03.15")).isFalse();
  }
}
