package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.SessionProtocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Checks and shapes what backends pass to their CLIs. The built-in backends send the prompt over
 * stdin, never as an argument: a task that begins with {@code -} is then never taken for a flag, a
 * context of megabytes passes (one argument is capped at 128 KiB on Linux), and nothing is quoted
 * (opencode wraps a message argument that has spaces in quotes).
 */
final class Prompts {

  private Prompts() {}

  /** A name, and a task unless the agent is a multi-turn session (whose messages come later). */
  static void requireNameAndTask(AgentConfig config, String backend) {
    if (config.name().isBlank()) {
      throw new AgentException.InvalidConfig(
          "name",
          "is empty; the "
              + backend
              + " backend needs a "
              + "name for the agent, such as \"research-agent\"");
    }
    if (config.task().isBlank() && !config.multiTurn()) {
      throw new AgentException.InvalidConfig(
          "task",
          "is empty; the "
              + backend
              + " backend needs a "
              + "task, the prompt the agent works on (only a multiTurn session may start without one)");
    }
  }

  /**
   * The prompt with the system prompt in front, for CLIs that have no flag for it (or when it is
   * too large for one).
   */
  static String promptWithSystem(AgentConfig config) {
    return config
        .systemPrompt()
        .map(s -> "<system>\n" + s + "\n</system>\n\n" + config.prompt())
        .orElse(config.prompt());
  }

  /** Whether {@code text} can travel as one argv element. */
  static boolean fitsArgument(String text) {
    return bytes(text) <= LaunchSpec.MAX_ARGUMENT_BYTES;
  }

  static int bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  static void requireArgumentSize(String field, String value) {
    int n = bytes(value);
    if (n > LaunchSpec.MAX_ARGUMENT_BYTES) {
      throw new AgentException.InvalidConfig(
          field,
          "is "
              + (n / 1024)
              + " KiB, but Linux caps one "
              + "command-line argument or environment variable at 128 KiB; shorten it, or pass the bulk as "
              + "context with a backend that sends context over stdin");
    }
  }

  /**
   * Adds {@code flag systemPrompt} to argv when the config has a system prompt that fits one
   * argument; returns the text for stdin (with the system prompt in front when it did not fit).
   */
  static String systemPromptByFlag(AgentConfig config, String flag, List<String> argv) {
    if (config.systemPrompt().isPresent() && fitsArgument(config.systemPrompt().get())) {
      argv.add(flag);
      argv.add(config.systemPrompt().get());
      return config.prompt();
    }
    return promptWithSystem(config);
  }

  /**
   * A one-shot CLI: the prompt on stdin, then end of file (these CLIs wait for it otherwise). A
   * multi-turn session: stdin stays open, the prompt (when the task is not empty) is the first
   * message.
   */
  static LaunchSpec launch(
      AgentConfig config,
      List<String> argv,
      String stdinText,
      Map<String, String> env,
      SessionProtocol protocol) {
    List<String> command = new java.util.ArrayList<>(argv);
    command.addAll(config.extraArgs());
    if (config.multiTurn()) {
      byte[] first = config.task().isBlank() ? new byte[0] : protocol.userMessage(stdinText);
      return new LaunchSpec(command, env, LaunchSpec.Stdin.OPEN, first);
    }
    return new LaunchSpec(
        command,
        env,
        LaunchSpec.Stdin.CLOSE_AFTER_INPUT,
        stdinText.getBytes(StandardCharsets.UTF_8));
  }
}
