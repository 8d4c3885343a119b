package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import java.nio.charset.StandardCharsets;

/** Checks and shapes what backends pass to their CLIs. */
final class Prompts {

  /** Linux caps one argv or environment string at 128 KiB, terminating NUL included. */
  static final int MAX_ARG_BYTES = 128 * 1024 - 1;

  private Prompts() {}

  static void requireNameAndTask(AgentConfig config, String backend) {
    if (config.name().isBlank()) {
      throw new AgentException.InvalidConfig("name", "is empty; the " + backend + " backend needs a "
          + "name for the agent, such as \"research-agent\"");
    }
    if (config.task().isBlank()) {
      throw new AgentException.InvalidConfig("task", "is empty; the " + backend + " backend needs a "
          + "task, the prompt the agent works on");
    }
  }

  /** The task, followed by the context when there is one. */
  static String prompt(AgentConfig config) {
    return config.context()
        .map(c -> config.task() + "\n\n<context>\n" + c + "\n</context>")
        .orElse(config.task());
  }

  /** Whether {@code text} can travel as one argv element without being taken for a flag. */
  static boolean fitsArgument(String text) {
    return !text.startsWith("-") && bytes(text) <= MAX_ARG_BYTES;
  }

  static int bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  static void requireArgumentSize(String field, String value) {
    int n = bytes(value);
    if (n > MAX_ARG_BYTES) {
      throw new AgentException.InvalidConfig(field, "is " + (n / 1024) + " KiB, but Linux caps one "
          + "command-line argument or environment variable at 128 KiB; shorten it, or pass the bulk as "
          + "context with a backend that sends context over stdin");
    }
  }
}
