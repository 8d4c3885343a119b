package dev.descartes.cli;

import dev.descartes.kubernetes.KubernetesRunnerConfig;
import dev.descartes.runner.AgentException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code runner:} and {@code kubernetes:} fields at the top of a fleet file: where the agents
 * run (see docs/kubernetes.md).
 *
 * <pre>{@code
 * runner: kubernetes           # local (default) | kubernetes; --runner overrides it
 * kubernetes:
 *   namespace: descartes
 *   image: registry.example.com/agents:1
 *   context: kind-descartes    # optional: the kubeconfig context
 *   runtimeClassName: gvisor   # optional: for sandboxed agents
 * }</pre>
 */
final class FleetKubernetes {

  private FleetKubernetes() {}

  /** Where the agents run. */
  enum Runner {
    LOCAL,
    KUBERNETES
  }

  /** {@code runner:}, empty when absent. */
  static Optional<Runner> runner(Fields top) {
    return top.get("runner", FleetKubernetes::runner);
  }

  static Runner runner(Node n) {
    String fix = "write runner: local or runner: kubernetes";
    String t = Fields.text(n, fix);
    try {
      return Runner.valueOf(t.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Fields.Bad("'" + t + "' is not a runner", fix);
    }
  }

  /** {@code kubernetes:}, empty when absent; wrong values become problems and read as absent. */
  static Optional<KubernetesRunnerConfig> read(
      Fields top, Duration stopTimeout, Problems problems) {
    Optional<Fields> k =
        top.map(
            "kubernetes",
            "kubernetes",
            "write kubernetes: with namespace:, image:, context:"
                + " and runtimeClassName: below it");
    if (k.isEmpty()) {
      return Optional.empty();
    }
    Fields f = k.get();
    int before = problems.size();
    Optional<String> namespace =
        f.text(
            "namespace",
            "name the namespace of the agents' Pods, such as" + " namespace: descartes");
    Optional<String> image =
        f.text(
            "image",
            "name an image that holds the agents' CLIs, such as"
                + " image: registry.example.com/agents:1");
    Optional<String> context =
        f.text(
            "context",
            "name a context of your kubeconfig, or leave it out for the" + " current one");
    Optional<String> runtimeClass =
        f.text("runtimeClassName", "name a RuntimeClass such as gvisor, or leave it out");
    f.done();
    if (namespace.isEmpty() && problems.size() == before) {
      f.problem(
          "namespace",
          Problem.Kind.DATA,
          "is missing",
          "add namespace: with the agents' namespace");
    }
    if (image.isEmpty() && problems.size() == before) {
      f.problem(
          "image",
          Problem.Kind.DATA,
          "is missing",
          "add image: with an image that holds the agents' CLIs");
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    try {
      KubernetesRunnerConfig.Builder b =
          KubernetesRunnerConfig.builder(namespace.get(), image.get()).shutdownTimeout(stopTimeout);
      context.ifPresent(b::context);
      runtimeClass.ifPresent(b::runtimeClassName);
      return Optional.of(b.build());
    } catch (AgentException.InvalidConfig e) {
      problems.add(
          Problem.Kind.DATA, top.at("kubernetes").toString(), e.getMessage(), "fix kubernetes:");
      return Optional.empty();
    }
  }
}
