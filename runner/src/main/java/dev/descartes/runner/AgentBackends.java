package dev.descartes.runner;

import dev.descartes.runner.internal.backend.BackendRegistry;
import java.util.List;

/**
 * The backends a runner knows: the built-in ones ({@code claude}, {@code opencode}, {@code codex},
 * {@code gemini}, {@code qwen}), those found through {@link java.util.ServiceLoader}, the given
 * ones, and the generic {@code <program>-cli} rule. For runners other than {@link
 * LocalProcessRunner} (such as one that starts agents as Kubernetes Pods) that need each backend's
 * command line, event parser and stop sequence. Immutable and thread-safe.
 */
public final class AgentBackends {

  private final BackendRegistry registry;

  private AgentBackends(List<AgentBackend> configured) {
    this.registry = new BackendRegistry(configured);
  }

  /**
   * The built-in and service-loaded backends, then {@code configured} (a later name wins).
   *
   * @param configured backends of your own; may be empty
   * @return the backends
   */
  public static AgentBackends of(List<AgentBackend> configured) {
    return new AgentBackends(configured);
  }

  /**
   * The backend for {@link AgentConfig#modelBackend()}.
   *
   * @param modelBackend a registered name, or {@code <program>-cli}
   * @return the backend
   * @throws AgentException.InvalidConfig for an empty or unknown name (the message lists the known
   *     ones)
   */
  public AgentBackend resolve(String modelBackend) {
    return registry.resolve(modelBackend);
  }

  /** {@return the registered names, in registration order} */
  public List<String> names() {
    return registry.names();
  }
}
