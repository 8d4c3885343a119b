package dev.descartes.runner;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A kind of {@link AgentRunner} that a separate jar adds, found by name through {@link
 * ServiceLoader}: how the {@code descartes} command runs agents somewhere other than this machine
 * without bundling every client library. The Kubernetes runner ({@code descartes-kubernetes}) is
 * one. A provider registers itself in {@code
 * META-INF/services/dev.descartes.runner.AgentRunnerProvider} (or with {@code provides} in its
 * module descriptor).
 *
 * <p>Implementations hold no state and are safe to call from any thread.
 */
public interface AgentRunnerProvider {

  /**
   * {@return the runner's name, as {@code descartes run --runner NAME} and a fleet file's {@code
   * runner:} write it, such as {@code kubernetes}}
   */
  String name();

  /**
   * Opens a runner configured by {@code settings}: the text fields of the fleet file's section of
   * the same name (for Kubernetes: {@code namespace}, {@code image}, {@code context}, {@code
   * runtimeClassName}).
   *
   * @param settings field name to value; the provider rejects names it does not know
   * @param shutdownTimeout how long closing the runner lets each agent stop before it is killed
   * @return a runner the caller closes
   * @throws AgentException.InvalidConfig a setting is missing or wrong; the message names it
   * @throws AgentException.Execution what the runner runs on cannot be reached
   */
  AgentRunner open(Map<String, String> settings, Duration shutdownTimeout);

  /**
   * The provider named {@code name} among those on the class path and module path (loaded with the
   * thread's context class loader).
   *
   * @param name the runner's name
   * @return the provider; empty when none has that name
   */
  static Optional<AgentRunnerProvider> find(String name) {
    return ServiceLoader.load(AgentRunnerProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals(name))
        .findFirst();
  }
}
