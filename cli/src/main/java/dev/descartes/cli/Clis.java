package dev.descartes.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agent CLIs the backends run: their program names, where they are, how to install them. */
final class Clis {

  /** The suffix of the generic backend: {@code <program>-cli} runs {@code <program> "<task>"}. */
  static final String GENERIC_SUFFIX = "-cli";

  private static final Map<String, String> NPM_PACKAGES =
      Map.of(
          "claude", "@anthropic-ai/claude-code",
          "opencode", "opencode-ai",
          "codex", "@openai/codex",
          "gemini", "@google/gemini-cli",
          "qwen", "@qwen-code/qwen-code");

  private Clis() {}

  /** Whether {@code backend} is registered or follows the generic {@code <program>-cli} rule. */
  static boolean known(String backend, List<String> registered) {
    return registered.contains(backend) || generic(backend);
  }

  static boolean generic(String backend) {
    return backend.endsWith(GENERIC_SUFFIX) && backend.length() > GENERIC_SUFFIX.length();
  }

  /**
   * The program a backend runs, when the command knows it (built-in CLIs and {@code
   * <program>-cli}).
   */
  static Optional<String> program(String backend) {
    if (NPM_PACKAGES.containsKey(backend)) {
      return Optional.of(backend);
    }
    return generic(backend)
        ? Optional.of(backend.substring(0, backend.length() - GENERIC_SUFFIX.length()))
        : Optional.empty();
  }

  /** How to install the CLI of {@code backend}, as a command, when known. */
  static Optional<String> installHint(String backend) {
    return Optional.ofNullable(NPM_PACKAGES.get(backend)).map(p -> "npm install -g " + p);
  }

  /**
   * Finds {@code program} as {@code execvp} would: a path with a {@code /} relative to {@code cwd},
   * else the first executable file of that name in {@code path}.
   */
  static Optional<Path> find(String program, String path, Path cwd) {
    if (program.contains("/")) {
      Path p = cwd.resolve(program);
      return executable(p) ? Optional.of(p) : Optional.empty();
    }
    for (String dir : (path == null ? "" : path).split(File.pathSeparator, -1)) {
      Path p = (dir.isEmpty() ? cwd : cwd.resolve(dir)).resolve(program);
      if (executable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static boolean executable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }
}
