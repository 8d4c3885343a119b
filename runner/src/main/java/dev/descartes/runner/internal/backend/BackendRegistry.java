package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Backends by name: the built-ins, then those found by {@link ServiceLoader}, then those given in
 * the runner's config (a later one wins). A name not registered but ending in {@code -cli} follows
 * the generic rule (it runs {@code <program> "<task>"}). Immutable after construction; thread-safe.
 */
public final class BackendRegistry {

  private final Map<String, AgentBackend> byName = new LinkedHashMap<>();

  public BackendRegistry(List<AgentBackend> configured) {
    register(new ClaudeBackend());
    register(new OpencodeBackend());
    register(new CodexBackend());
    register(new GeminiBackend());
    register(new QwenBackend());
    for (AgentBackend b : ServiceLoader.load(AgentBackend.class)) {
      register(b);
    }
    configured.forEach(this::register);
  }

  private void register(AgentBackend backend) {
    byName.put(backend.name(), backend);
  }

  /** The registered names, in registration order. */
  public List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  /**
   * @throws AgentException.InvalidConfig for an empty or unknown name
   */
  public AgentBackend resolve(String modelBackend) {
    if (modelBackend.isBlank()) {
      throw new AgentException.InvalidConfig(
          "modelBackend",
          "is empty; name a backend ("
              + String.join(", ", names())
              + ", or '<program>-cli' for any other CLI), or set "
              + "AgentConfig.command(...) to run an explicit command");
    }
    AgentBackend b = byName.get(modelBackend);
    if (b != null) {
      return b;
    }
    if (modelBackend.endsWith(GenericCliBackend.SUFFIX)
        && modelBackend.length() > GenericCliBackend.SUFFIX.length()) {
      return new GenericCliBackend(modelBackend);
    }
    throw new AgentException.InvalidConfig(
        "modelBackend",
        "unknown backend '"
            + modelBackend
            + "'; known backends: "
            + String.join(", ", names())
            + "; for any other CLI use '<program>-cli' "
            + "(it runs '<program> \"<task>\"'), or set AgentConfig.command(...)");
  }
}
