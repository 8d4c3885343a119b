package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Fleet agents in Podman containers ({@code container:}), and a bad container field's report. */
@ExtendWith(CliLeakCheck.class)
class ContainerCliTest {

  @TempDir Path dir;

  @AfterAll
  static void removeImage() {
    TestImages.remove();
  }

  @Test
  void aFleetAgentRunsInItsContainerWithItsFolderMountedAndNoContainerIsLeft() throws Exception {
    String image = TestImages.hostUsrImage();
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        agents:
          boxed:
            command: echo "inside $(pwd)"; echo made > made.txt
            container:
              image: %s
              mounts: [/usr:/usr:ro]
              network: none
        """
            .formatted(image));

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", "fleet.yaml");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    String inside = "inside " + dir.toRealPath();
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("boxed +\\| " + java.util.regex.Pattern.quote(inside)));
    assertThat(dir.resolve("made.txt")).hasContent("made");
    assertThat(
            TestImages.run(
                    java.util.List.of(
                        "podman",
                        "ps",
                        "-a",
                        "--filter",
                        "label=dev.descartes.agent-name=boxed",
                        "--filter",
                        "ancestor=" + image,
                        "--format",
                        "{{.Names}}"))
                .strip())
        .isEmpty();
  }

  @Test
  void aBadMountIsReportedAtItsPlaceBeforeAnythingStarts() throws Exception {
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        agents:
          boxed:
            command: [true]
            container:
              image: localhost/anything:1
              mounts: [nocolon]
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", "fleet.yaml");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(65);
    assertThat(r.stderr())
        .contains("fleet.yaml:6:")
        .contains("agents.boxed.container.mounts: 'nocolon' is not" + " HOST:CONTAINER[:ro]");
  }
}
