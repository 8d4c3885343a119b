package dev.descartes.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Operating-system resources of an agent's whole process tree (the agent, its tools and their
 * children), as sampled by the last health check. Immutable and thread-safe.
 *
 * @param cpuTime user plus system CPU time of the processes alive at sampling time
 * @param residentBytes resident memory, summed over the tree
 * @param processCount number of processes in the tree
 * @param sampledAt when the sample was taken
 */
public record ResourceUsage(
    Duration cpuTime, long residentBytes, int processCount, Instant sampledAt) {

  /** Checks that no component is null. */
  public ResourceUsage {
    Objects.requireNonNull(cpuTime, "cpuTime");
    Objects.requireNonNull(sampledAt, "sampledAt");
  }
}
