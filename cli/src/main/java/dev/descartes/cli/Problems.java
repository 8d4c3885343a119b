package dev.descartes.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of an input (all fields of all agents), so that the user sees them all at
 * once, and throws them together as one {@link InputError}. Not thread-safe: one per check.
 */
final class Problems {

  private final List<Problem> problems = new ArrayList<>();

  void add(Problem p) {
    problems.add(p);
  }

  void add(Problem.Kind kind, String where, String what, String fix) {
    problems.add(new Problem(kind, where, what, fix));
  }

  /** Adds the problems of {@code e} (a check that throws instead of collecting). */
  void add(InputError e) {
    problems.addAll(e.problems());
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  int size() {
    return problems.size();
  }

  /**
   * @throws InputError with every problem collected, if there is one
   */
  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new InputError(problems);
    }
  }
}
