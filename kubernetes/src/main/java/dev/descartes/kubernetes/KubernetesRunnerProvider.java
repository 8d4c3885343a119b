package dev.descartes.kubernetes;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentRunner;
import dev.descartes.runner.AgentRunnerProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes runner as an {@link AgentRunnerProvider} named {@code kubernetes}: what {@code
 * descartes run --runner kubernetes} loads when this module's jar is beside {@code descartes.jar}.
 * Its settings are {@code namespace} and {@code image} (both required), {@code context} and {@code
 * runtimeClassName}. Stateless and thread-safe.
 */
public final class KubernetesRunnerProvider implements AgentRunnerProvider {

  private static final Set<String> KNOWN =
      Set.of("namespace", "image", "context", "runtimeClassName");

  /** For {@link java.util.ServiceLoader}. */
  public KubernetesRunnerProvider() {}

  /** {@code kubernetes}. */
  @Override
  public String name() {
    return "kubernetes";
  }

  /**
   * A {@link KubernetesRunner} with a client from the kubeconfig ({@code KUBECONFIG}, {@code
   * ~/.kube/config} or the in-cluster service account) and {@code settings}.
   */
  @Override
  public AgentRunner open(Map<String, String> settings, Duration shutdownTimeout) {
    for (String key : settings.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new AgentException.InvalidConfig(
            key, "is not a Kubernetes setting; use namespace, image, context or runtimeClassName");
      }
    }
    KubernetesRunnerConfig.Builder b =
        KubernetesRunnerConfig.builder(settings.get("namespace"), settings.get("image"))
            .shutdownTimeout(shutdownTimeout);
    if (settings.containsKey("context")) {
      b.context(settings.get("context"));
    }
    if (settings.containsKey("runtimeClassName")) {
      b.runtimeClassName(settings.get("runtimeClassName"));
    }
    return KubernetesRunner.connect(b.build());
  }
}
