package dev.descartes.bench;

import java.io.PrintStream;
import java.util.List;

/**
 * Prints a case's figures as plain-text tables on the console: ratios first, absolute figures
 * second.
 */
public final class TextReport {

  private final PrintStream out;

  public TextReport(PrintStream out) {
    this.out = out;
  }

  public void print(CaseResult c) {
    Variant v = c.variant();
    String head =
        "── "
            + v.id()
            + " · "
            + v.title()
            + " · "
            + v.runs()
            + (v.runs() == 1 ? " run " : " runs ");
    out.println();
    out.println(head + "─".repeat(Math.max(4, 100 - head.length())));
    List<Subject> baselines = c.baselines();
    for (Subject s : c.subjects()) {
      c.problem(s.id()).ifPresent(p -> out.println("  " + s.id() + ": " + p));
    }
    if (c.subjects().stream().allMatch(s -> c.problem(s.id()).isPresent())) {
      return;
    }
    for (MetricSpec m : v.shown()) {
      out.println(m.label() + (m.direction().isEmpty() ? "" : " (" + m.direction() + ")"));
      StringBuilder h = new StringBuilder(String.format("  %-20s", "subject"));
      if (m.compared()) {
        baselines.forEach(b -> h.append(String.format(" %-18s", b.id() + " is")));
      }
      h.append(String.format(" %-12s %s", "median", "min … max"));
      out.println(h);
      for (Row r : Row.of(c, m)) {
        if (r.problem().isPresent() && c.problem(r.subject()).isPresent()) {
          continue; // said once above
        }
        StringBuilder line = new StringBuilder(String.format("  %-20s", r.subject()));
        if (r.problem().isPresent()) {
          line.append(' ').append(r.problem().get());
        } else {
          if (m.compared()) {
            r.ratios().forEach(x -> line.append(String.format(" %-18s", x)));
          }
          line.append(String.format(" %-12s %s", r.median(), r.range()));
        }
        out.println(line);
      }
    }
    for (Subject s : c.subjects()) {
      for (RunOutcome o : c.outcomes(s.id())) {
        if (!o.warnings().isEmpty()) {
          out.println(
              "  note: "
                  + s.id()
                  + " run "
                  + o.run()
                  + " logged "
                  + o.warnings().size()
                  + " warnings, first: "
                  + o.warnings().getFirst());
        }
      }
    }
  }
}
