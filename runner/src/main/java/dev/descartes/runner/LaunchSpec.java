package dev.descartes.runner;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a backend wants its CLI started: the argv (the program first, found on the agent's {@code
 * PATH}), environment variables it needs, and what to do with stdin. Immutable and thread-safe.
 *
 * @param command the program and its arguments; each element reaches the program unchanged, with no
 *     shell in between
 * @param environment variables to add (the agent's own {@link AgentConfig#environment()} wins)
 * @param stdin whether stdin stays open for {@link AgentHandle#writeStdin}
 * @param initialInput bytes written to stdin right after start (before closing it, with {@link
 *     Stdin#CLOSE_AFTER_INPUT})
 */
public record LaunchSpec(
    List<String> command, Map<String, String> environment, Stdin stdin, byte[] initialInput) {

  /**
   * The most bytes one argument (or one {@code NAME=value} environment entry) may have on Linux,
   * its terminating NUL excluded: {@code MAX_ARG_STRLEN}, 128 KiB. A longer one is refused at
   * spawn; send large text over stdin instead.
   */
  public static final int MAX_ARGUMENT_BYTES = 128 * 1024 - 1;

  /** What the runner does with the agent's stdin. */
  public enum Stdin {
    /** Left open: the caller writes to it and closes it. */
    OPEN,
    /** Closed once {@link #initialInput()} is written, so the CLI reads end of file. */
    CLOSE_AFTER_INPUT
  }

  /**
   * Copies the command, environment and input.
   *
   * @throws IllegalArgumentException if the command is empty
   * @throws NullPointerException if {@code stdin} is null
   */
  public LaunchSpec {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command must name a program");
    }
    environment = Map.copyOf(environment);
    Objects.requireNonNull(stdin, "stdin");
    initialInput = initialInput == null ? new byte[0] : initialInput.clone();
  }

  /**
   * Runs {@code command} with stdin open and nothing else.
   *
   * @param command the program and its arguments
   * @return the spec
   */
  public static LaunchSpec of(List<String> command) {
    return new LaunchSpec(command, Map.of(), Stdin.OPEN, new byte[0]);
  }

  /** {@return a copy of the bytes written to stdin right after start} */
  @Override
  public byte[] initialInput() {
    return initialInput.clone();
  }

  @Override
  public String toString() {
    return "LaunchSpec[command="
        + command
        + ", environment="
        + environment.keySet()
        + ", stdin="
        + stdin
        + ", initialInput="
        + initialInput.length
        + " bytes]";
  }
}
