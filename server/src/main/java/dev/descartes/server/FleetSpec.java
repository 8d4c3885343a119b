package dev.descartes.server;

import java.util.LinkedHashMap;

/**
 * A fleet to start: the fleet file's fields ({@code maxConcurrency}, {@code stop}, {@code agents}
 * by name, started in order) and the directory relative paths are resolved against.
 *
 * @param dir absolute directory for relative paths (the fleet file's folder); the daemon's working
 *     directory when absent
 * @param maxConcurrency the most agents of this fleet alive at once; the others wait
 * @param stop accepted for fleet-file compatibility: how {@code descartes run} stops on Ctrl+C
 * @param agents the agents by name
 */
public record FleetSpec(
    String dir, Integer maxConcurrency, StopSpec stop, LinkedHashMap<String, AgentSpec> agents) {

  /**
   * A fleet file's {@code stop:} section.
   *
   * @param signal interrupt or terminate
   * @param timeout a duration such as 5s
   * @param failFast stop the others when one fails
   */
  public record StopSpec(String signal, String timeout, Boolean failFast) {}
}
