package dev.descartes.runner;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How an agent's process ended: an exit code, or the signal that terminated it.
 *
 * <p>Exactly one of {@link #code()} and {@link #signal()} is present. The JDK process engine only
 * sees {@code 128 + n} for a process killed by signal {@code n}; it reports the signal when the
 * runner itself sent signal {@code n}, and the plain code otherwise. Immutable and thread-safe.
 *
 * @param code the exit code, when the process called {@code exit}
 * @param signal the number of the terminating signal, when known
 */
public record ExitStatus(OptionalInt code, OptionalInt signal) {

  /**
   * Checks that exactly one of code and signal is present.
   *
   * @throws IllegalArgumentException if both or neither are
   */
  public ExitStatus {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(signal, "signal");
    if (code.isPresent() == signal.isPresent()) {
      throw new IllegalArgumentException("exactly one of code and signal must be present");
    }
  }

  /**
   * The process called {@code exit(code)}.
   *
   * @param code the exit code
   * @return the status
   */
  public static ExitStatus exited(int code) {
    return new ExitStatus(OptionalInt.of(code), OptionalInt.empty());
  }

  /**
   * The process was terminated by signal {@code number}.
   *
   * @param number the signal's number
   * @return the status
   */
  public static ExitStatus signalled(int number) {
    return new ExitStatus(OptionalInt.empty(), OptionalInt.of(number));
  }

  /**
   * An exit code as a shell, a container engine, a Kubernetes container status or the JDK reports
   * it, where {@code 128 + n} may mean death by signal {@code n}: read as that signal when {@code
   * signalsSent} holds {@code n} (the caller sent it, so the code is its effect), as the plain code
   * otherwise.
   *
   * @param code the exit code as reported
   * @param signalsSent the signals the caller sent the process
   * @return the exit status
   */
  public static ExitStatus fromCode(int code, Set<Integer> signalsSent) {
    if (code > 128 && code < 128 + 65 && signalsSent.contains(code - 128)) {
      return signalled(code - 128);
    }
    return exited(code);
  }

  /** {@return whether the process exited with code 0} */
  public boolean success() {
    return code.isPresent() && code.getAsInt() == 0;
  }

  /** {@return the shell's convention: the code, or {@code 128 + signal}} */
  public int shellCode() {
    return code.isPresent() ? code.getAsInt() : 128 + signal.getAsInt();
  }

  @Override
  public String toString() {
    return code.isPresent() ? "exit " + code.getAsInt() : "signal " + signal.getAsInt();
  }
}
