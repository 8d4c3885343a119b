package dev.descartes.kubernetes;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how a {@link KubernetesRunner} starts its agents' Pods. Immutable and thread-safe.
 *
 * @param namespace the namespace of every Pod, Secret, ConfigMap and NetworkPolicy the runner makes
 * @param image the container image of every agent; it must hold the agent's CLI and {@code sh}
 * @param context the kubeconfig context to use ({@link KubernetesRunner#connect}); empty: the
 *     current one
 * @param serviceAccount the Pods' service account; empty: the namespace's default
 * @param runtimeClassName the RuntimeClass of sandboxed agents (such as {@code gvisor} or {@code
 *     kata}); an agent with an {@code AgentSandbox} runs under it, and one is refused without it
 * @param startTimeout how long {@code spawn} waits for the Pod's container to start (scheduling and
 *     image pull included)
 * @param shutdownTimeout the grace period of {@link KubernetesRunner#close()}
 * @param backends backends besides the built-in ones
 */
public record KubernetesRunnerConfig(
    String namespace,
    String image,
    Optional<String> context,
    Optional<String> serviceAccount,
    Optional<String> runtimeClassName,
    Duration startTimeout,
    Duration shutdownTimeout,
    List<AgentBackend> backends) {

  public KubernetesRunnerConfig {
    if (namespace == null || namespace.isBlank()) {
      throw new AgentException.InvalidConfig(
          "namespace",
          "is empty; name the namespace the agents' Pods " + "go in, such as descartes");
    }
    if (image == null || image.isBlank()) {
      throw new AgentException.InvalidConfig(
          "image",
          "is empty; name an image that holds the agent CLI, "
              + "such as registry.example.com/agents:1");
    }
    context = Objects.requireNonNullElse(context, Optional.empty());
    serviceAccount = Objects.requireNonNullElse(serviceAccount, Optional.empty());
    runtimeClassName = Objects.requireNonNullElse(runtimeClassName, Optional.empty());
    startTimeout = Objects.requireNonNullElse(startTimeout, Duration.ofMinutes(5));
    shutdownTimeout = Objects.requireNonNullElse(shutdownTimeout, Duration.ofSeconds(30));
    backends = List.copyOf(Objects.requireNonNullElse(backends, List.of()));
  }

  public static Builder builder(String namespace, String image) {
    return new Builder(namespace, image);
  }

  /** Builds a {@link KubernetesRunnerConfig}. Not thread-safe. */
  public static final class Builder {
    private final String namespace;
    private final String image;
    private String context;
    private String serviceAccount;
    private String runtimeClassName;
    private Duration startTimeout = Duration.ofMinutes(5);
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private final List<AgentBackend> backends = new ArrayList<>();

    private Builder(String namespace, String image) {
      this.namespace = namespace;
      this.image = image;
    }

    public Builder context(String context) {
      this.context = context;
      return this;
    }

    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = serviceAccount;
      return this;
    }

    public Builder runtimeClassName(String runtimeClassName) {
      this.runtimeClassName = runtimeClassName;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    public Builder backend(AgentBackend backend) {
      backends.add(backend);
      return this;
    }

    public KubernetesRunnerConfig build() {
      return new KubernetesRunnerConfig(
          namespace,
          image,
          Optional.ofNullable(context),
          Optional.ofNullable(serviceAccount),
          Optional.ofNullable(runtimeClassName),
          startTimeout,
          shutdownTimeout,
          backends);
    }
  }
}
