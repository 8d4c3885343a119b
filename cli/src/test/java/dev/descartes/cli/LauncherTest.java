package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' shell side: {@code ./descartes} through a symlink, and the one build rule of
 * {@code .mvn/launcher.sh} that all three launchers share (two started at once build once; the
 * second waits with one line).
 */
@ExtendWith(CliLeakCheck.class)
class LauncherTest {

  @TempDir Path dir;

  private static Path root() {
    return Cli.examples().getParent();
  }

  @Test
  void descartesRunsThroughASymlinkFromAnotherFolder() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("descartes"), root().resolve("descartes"));

    Cli.Running r =
        Cli.launch(
            dir,
            List.of(link.toString(), "version"),
            Cli.env(
                Map.of("DESCARTES_NO_BUILD", "1", "JAVA_HOME", System.getProperty("java.home"))));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).startsWith("descartes ");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void twoLaunchersStartedAtOnceBuildOnceAndTheSecondWaitsWithOneLine() throws Exception {
    // a checkout in miniature: one module, and a Maven wrapper that records each build and holds
    // the lock until the test lets it finish
    Files.createDirectories(dir.resolve(".mvn"));
    Files.copy(root().resolve(".mvn/launcher.sh"), dir.resolve(".mvn/launcher.sh"));
    Files.writeString(dir.resolve("pom.xml"), "<project/>\n");
    Files.createDirectories(dir.resolve("mod/src/main"));
    Files.writeString(dir.resolve("mod/src/main/A.java"), "class A {}\n");
    Path mvnw =
        Files.writeString(
            dir.resolve("mvnw"),
            """
        #!/bin/sh
        echo "build $*" >> builds
        while [ ! -f go ]; do sleep 0.05; done
        mkdir -p mod/target && echo jar > mod/target/mod.jar
        """);
    Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
    String launcher =
        "DESCARTES_ROOT="
            + dir
            + "; . \"$DESCARTES_ROOT/.mvn/launcher.sh\"; "
            + "descartes_build_if_stale $0 mod/target/mod.jar mod -pl mod package && echo \"$0 runs\"";
    Map<String, String> env = new HashMap<>(Cli.env(Map.of()));

    Cli.Running first = Cli.launch(dir, List.of("sh", "-c", launcher, "first"), env);
    first.awaitStderr(s -> s.contains("first: building"));
    Cli.Running second = Cli.launch(dir, List.of("sh", "-c", launcher, "second"), env);
    second.awaitStderr(s -> s.contains("waiting"));
    Files.writeString(dir.resolve("go"), "");

    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(Files.readAllLines(dir.resolve("builds")))
        .containsExactly("build -q -pl mod package");
    assertThat(first.stdout()).isEqualTo("first runs\n");
    assertThat(second.stdout()).isEqualTo("second runs\n");
    assertThat(second.stderr().lines().toList())
        .containsExactly(
            "second: another launcher is building this checkout; waiting for it to finish...");

    // up to date now: a third start neither builds nor waits; a changed source builds again
    Cli.Running third = Cli.launch(dir, List.of("sh", "-c", launcher, "third"), env);
    assertThat(third.exitCode()).isZero();
    assertThat(third.stderr()).isEmpty();
    Path source = dir.resolve("mod/src/main/A.java");
    Files.setLastModifiedTime(
        source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    Cli.Running fourth = Cli.launch(dir, List.of("sh", "-c", launcher, "fourth"), env);
    assertThat(fourth.exitCode()).as(fourth.toString()).isZero();
    assertThat(Files.readAllLines(dir.resolve("builds"))).hasSize(2);
  }
}
