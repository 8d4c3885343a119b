package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.LaunchSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generic rule: backend {@code <program>-cli} runs {@code <program> "<task>"}, the task as one
 * argument with no shell in between. Context and system prompt reach the program as {@code
 * DESCARTES_CONTEXT} and {@code DESCARTES_SYSTEM_PROMPT}; stdin stays open for {@code writeStdin}.
 * A task that begins with {@code -} follows {@code --}, so that the program does not take it for a
 * flag. No event parser: the outcome follows the exit code.
 */
final class GenericCliBackend implements AgentBackend {

  static final String SUFFIX = "-cli";

  private final String name;

  GenericCliBackend(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  String program() {
    return name.substring(0, name.length() - SUFFIX.length());
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    Prompts.requireNameAndTask(config, name);
    Prompts.requireArgumentSize("task", config.task());
    Map<String, String> env = new HashMap<>();
    config
        .context()
        .ifPresent(
            c -> {
              Prompts.requireArgumentSize("context", c);
              env.put("DESCARTES_CONTEXT", c);
            });
    config
        .systemPrompt()
        .ifPresent(
            s -> {
              Prompts.requireArgumentSize("systemPrompt", s);
              env.put("DESCARTES_SYSTEM_PROMPT", s);
            });
    List<String> argv = new java.util.ArrayList<>();
    argv.add(program());
    argv.addAll(config.extraArgs());
    if (config.task().startsWith("-")) {
      argv.add("--");
    }
    argv.add(config.task());
    return new LaunchSpec(argv, env, LaunchSpec.Stdin.OPEN, new byte[0]);
  }
}
