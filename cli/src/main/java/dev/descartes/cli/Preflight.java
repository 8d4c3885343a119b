package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks a fleet before anything starts, so that a typo in the tenth agent does not leave nine
 * running: every backend is known, and every program (a backend's CLI or a command) is installed.
 */
final class Preflight {

  private Preflight() {}

  /**
   * @param backends the runner's registered backend names
   * @throws UsageException naming the agent and the fix
   */
  static void check(Fleet fleet, List<String> backends) {
    for (AgentConfig a : fleet.agents()) {
      String at = fleet.source().map(s -> s + ": agent '" + a.name() + "': ").orElse("");
      Path cwd = a.workingDir().orElse(Path.of("").toAbsolutePath());
      String path = a.environment().getOrDefault("PATH", System.getenv("PATH"));
      if (a.hasCommand()) {
        String program = a.command().getFirst();
        if (Clis.find(program, path, cwd).isEmpty()) {
          throw new UsageException(at + "command '" + program + "' was not found"
              + (program.contains("/") ? " or is not executable" : " on PATH")
              + "; install it, fix the path, or run 'chmod +x' on it");
        }
        continue;
      }
      String backend = a.modelBackend();
      if (!Clis.known(backend, backends)) {
        throw new UsageException(at + "unknown backend '" + backend + "'; known backends: "
            + String.join(", ", backends) + ", or '<program>-cli' for any other CLI");
      }
      Clis.program(backend).filter(p -> Clis.find(p, path, cwd).isEmpty()).ifPresent(p -> {
        throw new UsageException(at + "the " + backend + " backend needs the '" + p
            + "' program, which is not on PATH; "
            + Clis.installHint(backend).map(h -> "install it with '" + h + "'").orElse("install it")
            + " ('descartes backends' shows what is installed)");
      });
    }
  }
}
