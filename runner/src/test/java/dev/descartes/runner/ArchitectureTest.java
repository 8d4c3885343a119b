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
   * The entry points that build an implementation: the runner (the composition root), and the
   * static factories {@code AgentPool.create} and {@code Worktrees.prepare}. No other API type may
   * reach into internal; add one here only with its line in docs/architecture.md.
   */
  private static final List<String> ALLOWED =
      List.of("LocalProcessRunner.java", "AgentPool.java", "Worktrees.java");

  @Test
  void theApiPackageImportsInternalOnlyInItsEntryPoints() throws IOException {
    List<String> offenders;
    try (Stream<Path> files = Files.list(API)) {
      offenders = files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !ALLOWED.contains(p.getFileName().toString()))
          .flatMap(ArchitectureTest::internalImports)
          .toList();
    }
    assertThat(offenders).as("API types that import internal (see docs/architecture.md)").isEmpty();
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
