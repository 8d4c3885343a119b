package dev.descartes.server;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One agent to start, as the API and fleet files describe it: a {@code backend} and a {@code task},
 * or a {@code command} (a list, run as it is, or one string run by {@code sh -c}). Relative paths
 * ({@code cwd}, a command's program containing {@code /}) are resolved against the request's
 * directory.
 *
 * @param name the agent's name (a fleet's key gives it)
 * @param backend a backend name such as {@code claude}
 * @param task the prompt; for a command, it is in {@code $DESCARTES_TASK}
 * @param context extra context sent after the task
 * @param systemPrompt the system prompt
 * @param model the model
 * @param cwd the working directory
 * @param env environment variables added for the agent (their values are never shown again)
 * @param command the argv, instead of a backend
 * @param multiTurn keep the conversation open for messages (claude, qwen)
 */
public record AgentSpec(
    String name,
    String backend,
    String task,
    String context,
    String systemPrompt,
    String model,
    String cwd,
    Map<String, String> env,
    List<String> command,
    Boolean multiTurn) {

  /** The creator Jackson binds, so that a single command string becomes {@code sh -c}. */
  @JsonCreator
  static AgentSpec of(
      @JsonProperty("name") String name,
      @JsonProperty("backend") String backend,
      @JsonProperty("task") String task,
      @JsonProperty("context") String context,
      @JsonProperty("systemPrompt") String systemPrompt,
      @JsonProperty("model") String model,
      @JsonProperty("cwd") String cwd,
      @JsonProperty("env") Map<String, Object> env,
      @JsonProperty("command") Object command,
      @JsonProperty("multiTurn") Boolean multiTurn) {
    List<String> argv =
        switch (command) {
          case null -> null;
          case String s -> List.of("sh", "-c", s);
          case List<?> l when !l.isEmpty() && l.stream().allMatch(o -> o instanceof String) ->
              l.stream().map(String.class::cast).toList();
          default ->
              throw new IllegalArgumentException(
                  "command: give a list of strings (the argv) or one string (run by sh -c)");
        };
    Map<String, String> e = null;
    if (env != null) {
      e = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, Object> x : env.entrySet()) {
        if (x.getValue() == null || x.getValue() instanceof Map || x.getValue() instanceof List) {
          throw new IllegalArgumentException(
              "env." + x.getKey() + ": give a string, number or boolean");
        }
        e.put(x.getKey(), String.valueOf(x.getValue()));
      }
    }
    return new AgentSpec(
        name, backend, task, context, systemPrompt, model, cwd, e, argv, multiTurn);
  }

  /** This spec with another name (a fleet's key). */
  AgentSpec named(String newName) {
    return new AgentSpec(
        newName, backend, task, context, systemPrompt, model, cwd, env, command, multiTurn);
  }

  /**
   * The runner's config, with relative paths resolved against {@code dir}.
   *
   * @throws ApiException 400 when the spec is incomplete or contradictory
   */
  AgentConfig toConfig(Path dir) {
    String at = "agent '" + (name == null ? "" : name) + "': ";
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("an agent needs a non-empty 'name'");
    }
    if (name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest(at + "the name must be at most 200 printable characters");
    }
    boolean hasCommand = command != null;
    if (hasCommand == (backend != null)) {
      throw ApiException.badRequest(
          at
              + (hasCommand
                  ? "has both 'backend' and 'command'; a command runs as it is, so keep only one"
                  : "needs a 'backend' (such as claude; see 'descartes backends') and a 'task', or a 'command'"));
    }
    if (!hasCommand && (task == null || task.isBlank())) {
      throw ApiException.badRequest(
          at + "needs a 'task', the prompt for its " + backend + " agent");
    }
    AgentConfig.Builder b = AgentConfig.builder().name(name);
    try {
      if (env != null) {
        b.environment(env);
      }
      if (hasCommand) {
        b.command(program(command, dir));
        if (task != null) {
          b.env("DESCARTES_TASK", task);
        }
      } else {
        b.modelBackend(backend).task(task);
      }
      if (model != null) {
        b.model(model);
      }
      if (systemPrompt != null) {
        b.systemPrompt(systemPrompt);
      }
      if (context != null) {
        b.context(context);
      }
      Path wd = dir.resolve(cwd == null ? "." : cwd).normalize();
      if (!Files.isDirectory(wd)) {
        throw ApiException.badRequest(at + "cwd: " + wd + " is not a directory");
      }
      b.workingDir(wd);
      if (Boolean.TRUE.equals(multiTurn)) {
        b.multiTurn(true);
      }
      return b.build();
    } catch (AgentException.InvalidConfig e) {
      throw ApiException.badRequest(at + e.getMessage());
    }
  }

  private static List<String> program(List<String> argv, Path dir) {
    String p = argv.getFirst();
    if (p.contains("/") && !Path.of(p).isAbsolute()) {
      List<String> copy = new java.util.ArrayList<>(argv);
      copy.set(0, dir.resolve(p).normalize().toString());
      return copy;
    }
    return argv;
  }
}
