package dev.descartes.runner.internal.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything an engine needs to start one process.
 *
 * @param argv the program (an absolute path, already checked) and its arguments
 * @param environment the complete environment of the child
 * @param workingDir the child's working directory (exists)
 * @param stdout receives the child's stdout
 * @param stderr receives the child's stderr
 */
public record LaunchRequest(
    List<String> argv,
    Map<String, String> environment,
    Path workingDir,
    OutputSink stdout,
    OutputSink stderr) {

  /**
   * @throws IllegalArgumentException if an argument or a variable holds a NUL character, which no
   *     command line or environment can carry (the message names the variable, never its value)
   */
  public LaunchRequest {
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "argument " + i + " holds a NUL character, which a command" + " line cannot carry");
      }
    }
    environment.forEach(
        (name, value) -> {
          if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                "invalid environment variable name (empty, or holding '=' or" + " NUL)");
          }
          if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                "environment variable "
                    + name
                    + " holds a NUL character,"
                    + " which an environment cannot carry");
          }
        });
  }
}
