package dev.descartes.runner.internal;

import dev.descartes.runner.AgentException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the program an agent runs, the way {@code execvp} would, with errors that say where it
 * looked.
 */
final class Executables {

  private Executables() {}

  /**
   * @param program {@code argv[0]}
   * @param path the agent's {@code PATH}
   * @param cwd the agent's working directory, for relative programs
   * @return the absolute path of an executable regular file
   * @throws AgentException.SpawnFailed naming the command and where it was looked for
   */
  static Path resolve(String program, String path, Path cwd) {
    if (program.isEmpty()) {
      throw new AgentException.SpawnFailed(
          program,
          "the command is empty; give the program to run "
              + "as the first element of AgentConfig.command");
    }
    if (program.indexOf('/') >= 0 || program.indexOf(File.separatorChar) >= 0) {
      Path p = cwd.resolve(program).toAbsolutePath().normalize();
      check(program, p, "");
      return p;
    }
    String dirs = path == null ? "" : path;
    Path notExecutable = null;
    for (String dir : dirs.split(File.pathSeparator, -1)) {
      Path candidate = (dir.isEmpty() ? cwd : cwd.resolve(dir)).resolve(program);
      if (Files.isRegularFile(candidate)) {
        if (Files.isExecutable(candidate)) {
          return candidate.toAbsolutePath().normalize();
        }
        notExecutable = notExecutable == null ? candidate : notExecutable;
      }
    }
    // PATH's value is never quoted: like every environment value, it may hold a secret
    if (notExecutable != null) {
      throw new AgentException.SpawnFailed(
          program,
          "command '"
              + program
              + "' was found on the "
              + "agent's PATH but is not executable; make it executable (chmod +x) or install it properly");
    }
    throw new AgentException.SpawnFailed(
        program,
        "command '"
            + program
            + "' was not found on the "
            + "agent's PATH ("
            + (dirs.isEmpty()
                ? "which is empty"
                : dirs.split(File.pathSeparator, -1).length + " directories searched")
            + "); install it, add its directory to PATH, or give its absolute "
            + "path in AgentConfig.command");
  }

  private static void check(String program, Path p, String where) {
    if (!Files.isDirectory(p) && Files.isExecutable(p)) {
      return; // a stat and an access(2) on every spawn; the reasons for a refusal only when needed
    }
    if (!Files.exists(p)) {
      throw new AgentException.SpawnFailed(
          program,
          "command '"
              + program
              + "' does not exist ("
              + p
              + ")"
              + where
              + "; check the path, or install the program");
    }
    if (Files.isDirectory(p)) {
      throw new AgentException.SpawnFailed(
          program,
          "command '"
              + program
              + "' is a directory ("
              + p
              + "), not a program; name the executable inside it");
    }
    if (!Files.isExecutable(p)) {
      throw new AgentException.SpawnFailed(
          program,
          "command '" + program + "' (" + p + ") is not executable; run 'chmod +x " + p + "'");
    }
  }
}
