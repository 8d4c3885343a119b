package dev.descartes.runner;

import dev.descartes.runner.internal.container.ContainerEngines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What this machine offers for running agents in containers ({@link ContainerSpec}): which engine
 * CLI was found, its version, the options the runner adds to make it work here (an OCI runtime, a
 * cgroup manager, resource limits the process may set), and what is missing, each problem with its
 * fix. {@code descartes doctor} shows it. Immutable and thread-safe.
 *
 * @param engine the container CLI the runner uses ({@code podman}, or {@code docker} where Podman
 *     is absent); empty when neither is installed
 * @param kind {@code "podman"}, {@code "docker"} or {@code "none"}
 * @param version the engine's version, when it answered
 * @param engineOptions options the runner puts before {@code run} (such as {@code --runtime
 *     /usr/sbin/runc --cgroup-manager=cgroupfs})
 * @param runOptions options the runner adds to every {@code run} (such as {@code --ulimit
 *     nofile=1024:1024})
 * @param facts what was detected, one human-readable line each (cgroup version, OCI runtime, ...)
 * @param problems what stops containers from working here, each with how to fix it; empty when
 *     {@link #available()}
 */
public record ContainerSupport(
    Optional<Path> engine,
    String kind,
    Optional<String> version,
    List<String> engineOptions,
    List<String> runOptions,
    List<String> facts,
    List<String> problems) {

  /**
   * Copies the lists and fills the empty optionals.
   *
   * @throws NullPointerException if {@code kind} or a list is null
   */
  public ContainerSupport {
    engine = Objects.requireNonNullElse(engine, Optional.empty());
    Objects.requireNonNull(kind, "kind");
    version = Objects.requireNonNullElse(version, Optional.empty());
    engineOptions = List.copyOf(engineOptions);
    runOptions = List.copyOf(runOptions);
    facts = List.copyOf(facts);
    problems = List.copyOf(problems);
  }

  /**
   * Looks at this machine now: finds {@code podman} (else {@code docker}) on {@code PATH}, asks it
   * for its version and host facts, and checks the OCI runtime against the cgroup layout. Takes a
   * fraction of a second (it runs the engine CLI); the runner does it once per JVM, when the first
   * containerized agent is spawned.
   *
   * @return what was found
   */
  public static ContainerSupport detect() {
    return ContainerEngines.detect();
  }

  /** {@return whether containerized agents can be started here} */
  public boolean available() {
    return engine.isPresent() && problems.isEmpty();
  }

  /** {@return one line per fact and problem, for a diagnostic listing} */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "container engine: "
            + engine
                .map(p -> kind + " " + version.orElse("(version unknown)") + " at " + p)
                .orElse("none"));
    lines.addAll(facts);
    if (!engineOptions.isEmpty() || !runOptions.isEmpty()) {
      lines.add(
          "options added: "
              + String.join(" ", engineOptions)
              + " run "
              + String.join(" ", runOptions));
    }
    problems.forEach(p -> lines.add("problem: " + p));
    return lines;
  }
}
