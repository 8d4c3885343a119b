package dev.descartes.cli;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentRunner;
import dev.descartes.runner.AgentRunnerProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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

  /**
   * The {@code kubernetes:} section: the Kubernetes runner's settings, and where the section is.
   *
   * @param settings field name to value, as {@link AgentRunnerProvider#open} takes them
   * @param shutdownTimeout how long each agent gets to stop when the runner closes
   * @param at where the section is in the fleet file, for messages
   */
  record Settings(Map<String, String> settings, Duration shutdownTimeout, String at) {

    Settings {
      settings = Map.copyOf(settings);
    }

    /**
     * Fails with a typed error (exit 69) telling how to get the Kubernetes runner when its jar is
     * not there.
     */
    static AgentRunnerProvider provider() {
      return AgentRunnerProvider.find("kubernetes")
          .orElseThrow(
              () ->
                  InputError.unavailable(
                      "runner kubernetes",
                      "the Kubernetes runner is not installed: it is a separate jar,"
                          + " descartes-kubernetes.jar, which descartes.jar loads from its own"
                          + " folder or from kubernetes/target/ of its checkout",
                      "build it with ./mvnw -B -q -pl kubernetes -am package -DskipTests (or copy"
                          + " descartes-kubernetes.jar beside descartes.jar); see"
                          + " docs/kubernetes.md"));
    }

    /** Connects the Kubernetes runner; a wrong setting is reported at the section (exit 65). */
    AgentRunner open() {
      AgentRunnerProvider p = provider();
      try {
        return p.open(settings, shutdownTimeout);
      } catch (AgentException.InvalidConfig e) {
        throw InputError.data(at, e.getMessage(), "fix kubernetes: (see docs/kubernetes.md)");
      }
    }
  }

  /** {@code kubernetes:}, empty when absent; wrong values become problems and read as absent. */
  static Optional<Settings> read(Fields top, Duration stopTimeout, Problems problems) {
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
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("namespace", namespace.get());
    settings.put("image", image.get());
    context.ifPresent(c -> settings.put("context", c));
    runtimeClass.ifPresent(c -> settings.put("runtimeClassName", c));
    return Optional.of(new Settings(settings, stopTimeout, top.at("kubernetes").toString()));
  }
}
