package dev.descartes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a soak case: a subject that ends with more descriptors or child processes than it began
 * with, or with many more threads, leaks. Thread counts may move by a few (the JDK's process reaper
 * pool keeps idle threads for a minute), so only a growth beyond {@link #THREAD_SLACK} counts.
 */
public final class SoakVerdict {

  static final int THREAD_SLACK = 32;

  private SoakVerdict() {}

  /**
   * One line per subject with figures: "runner-jdk: descriptors 22 → 22, ..., ok" or "... LEAK".
   */
  public static List<String> lines(CaseResult c) {
    List<String> out = new ArrayList<>();
    for (Subject s : c.subjects()) {
      for (RunOutcome o : c.outcomes(s.id())) {
        if (!o.ok()) {
          continue;
        }
        List<String> leaks = leaks(o);
        out.add(
            s.id()
                + " run "
                + o.run()
                + ": descriptors "
                + pair(o, "fds")
                + ", threads "
                + pair(o, "threads")
                + ", child processes "
                + pair(o, "children")
                + heap(o).map(h -> ", heap " + h).orElse("")
                + (leaks.isEmpty() ? ": no leak" : ": LEAK of " + String.join(", ", leaks)));
      }
    }
    return out;
  }

  /** Whether any subject leaked. */
  public static boolean leaked(CaseResult c) {
    return c.subjects().stream()
        .flatMap(s -> c.outcomes(s.id()).stream())
        .filter(RunOutcome::ok)
        .anyMatch(o -> !leaks(o).isEmpty());
  }

  private static List<String> leaks(RunOutcome o) {
    List<String> l = new ArrayList<>();
    if (grew(o, "fds") > 0) {
      l.add(grew(o, "fds") + " descriptors");
    }
    if (grew(o, "children") > 0) {
      l.add(grew(o, "children") + " child processes");
    }
    if (grew(o, "threads") > THREAD_SLACK) {
      l.add(grew(o, "threads") + " threads");
    }
    return l;
  }

  private static long grew(RunOutcome o, String what) {
    Double before = o.metrics().get(what + "_before");
    Double after = o.metrics().get(what + "_after");
    return before == null || after == null ? 0 : Math.round(after - before);
  }

  private static String pair(RunOutcome o, String what) {
    return Format.number(o.metrics().getOrDefault(what + "_before", Double.NaN))
        + " → "
        + Format.number(o.metrics().getOrDefault(what + "_after", Double.NaN));
  }

  private static Optional<String> heap(RunOutcome o) {
    Double before = o.metrics().get("heap_before_mib");
    Double after = o.metrics().get("heap_after_mib");
    return before == null || after == null
        ? Optional.empty()
        : Optional.of(Format.value(before, "MiB") + " → " + Format.value(after, "MiB"));
  }
}
