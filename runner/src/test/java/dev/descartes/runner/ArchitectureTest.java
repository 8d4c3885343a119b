package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The package rules of docs/architecture.md, checked on the sources. */
class ArchitectureTest {

  private static final Path API = Path.of("src/main/java/dev/descartes/runner");

  /**
   * The entry points that build an implementation and return it as an API type: the runner (the
   * composition root) and the static factories listed in docs/architecture.md. No other API type
   * may reach into internal; add one here only with its line there.
   */
  private static final List<String> ALLOWED =
      List.of(
          "LocalProcessRunner.java",
          "AgentPool.java",
          "Worktrees.java",
          "SupervisedAgent.java",
          "ContainerSupport.java",
          "MachineSupport.java",
          "AgentBackends.java",
          "AgentOutcomes.java");

  @Test
  void theApiPackageImportsInternalOnlyInItsEntryPoints() throws IOException {
    List<String> offenders;
    try (Stream<Path> files = Files.list(API)) {
      offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> !ALLOWED.contains(p.getFileName().toString()))
              .flatMap(ArchitectureTest::internalImports)
              .toList();
    }
    assertThat(offenders)
        .as(
            "API types that import internal: move the code behind an entry point, "
                + "or make this type an entry point (a static factory that builds one implementation) and "
                + "list it in ArchitectureTest.ALLOWED and docs/architecture.md")
        .isEmpty();
  }

  private static Stream<String> internalImports(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.contains("dev.descartes.runner.internal"))
          .map(l -> file.getFileName() + ": " + l.strip());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
