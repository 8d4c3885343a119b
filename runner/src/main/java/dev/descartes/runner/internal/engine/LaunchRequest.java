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
    List<String> argv, Map<String, String> environment, Path workingDir, OutputSink stdout, OutputSink stderr) {

  public LaunchRequest {
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
  }
}
