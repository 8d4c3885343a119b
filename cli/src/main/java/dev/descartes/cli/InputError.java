package dev.descartes.cli;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Bad input: one or more {@link Problem}s, found before anything started. {@link Main} prints each
 * as one line on stderr ({@code descartes: where: what; fix}) and exits with the {@link #exitCode()
 * code} of the most basic one. Throw it through {@link Problems}, or with the factories here for a
 * single problem.
 */
final class InputError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  InputError(List<Problem> problems) {
    super(
        problems.stream().map(Problem::line).collect(Collectors.joining("\n")), null, false, false);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** A flag, subcommand or task is wrong: exit 64. */
  static InputError usage(String where, String what, String fix) {
    return of(Problem.Kind.USAGE, where, what, fix);
  }

  /** A value is wrong: exit 65. */
  static InputError data(String where, String what, String fix) {
    return of(Problem.Kind.DATA, where, what, fix);
  }

  /** A file or folder cannot be opened: exit 66. */
  static InputError noInput(String where, String what, String fix) {
    return of(Problem.Kind.NO_INPUT, where, what, fix);
  }

  /** A program is missing or cannot start: exit 69. */
  static InputError unavailable(String where, String what, String fix) {
    return of(Problem.Kind.UNAVAILABLE, where, what, fix);
  }

  static InputError of(Problem.Kind kind, String where, String what, String fix) {
    return new InputError(List.of(new Problem(kind, where, what, fix)));
  }

  List<Problem> problems() {
    return problems;
  }

  /**
   * The smallest exit code among the problems: usage before data, data before a missing file or
   * program.
   */
  int exitCode() {
    return problems.stream()
        .map(Problem::kind)
        .min(Comparator.naturalOrder())
        .orElseThrow()
        .exitCode;
  }
}
