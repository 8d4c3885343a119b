package dev.descartes.runner.internal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds an agent's complete environment: the runner's own (all of it, or only allow-listed names),
 * then the backend's additions, then the agent's own variables, then {@code PWD} (some CLIs take
 * their project directory from it) and the tree cookie.
 */
final class ChildEnvironment {

  /** The variable that marks every process of an agent's tree; its value is the agent id. */
  static final String COOKIE = "DESCARTES_AGENT_ID";

  private ChildEnvironment() {}

  static Map<String, String> build(
      Map<String, String> runnerEnv,
      Optional<Set<String>> allowList,
      Map<String, String> backendEnv,
      Map<String, String> agentEnv,
      Path cwd,
      String agentId) {
    Map<String, String> env = new HashMap<>();
    if (allowList.isEmpty()) {
      env.putAll(runnerEnv);
    } else {
      for (Map.Entry<String, String> e : runnerEnv.entrySet()) {
        if (allowed(e.getKey(), allowList.get())) {
          env.put(e.getKey(), e.getValue());
        }
      }
    }
    env.putAll(backendEnv);
    env.putAll(agentEnv);
    env.put("PWD", cwd.toString());
    env.put(COOKIE, agentId);
    return env;
  }

  static boolean allowed(String name, Set<String> allowList) {
    if (allowList.contains(name)) {
      return true;
    }
    for (String pattern : allowList) {
      if (pattern.endsWith("*") && name.startsWith(pattern.substring(0, pattern.length() - 1))) {
        return true;
      }
    }
    return false;
  }
}
