package dev.descartes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One subject's line for one figure of one case, ready to print: the ratio of each runner engine to
 * it first, then its median and range.
 *
 * @param subject the subject's id
 * @param problem why it has no figure (skipped, failed, leaked), if so
 * @param ratios for each baseline, "2.10× slower" (the baseline against this subject), "—" for the
 *     baseline itself, "" where no ratio means anything
 * @param median the median, formatted
 * @param range "min … max", formatted
 */
public record Row(
    String subject, Optional<String> problem, List<String> ratios, String median, String range) {

  /** The rows of {@code metric} in {@code c}, one per subject, in the case's subject order. */
  public static List<Row> of(CaseResult c, MetricSpec metric) {
    List<Subject> baselines = c.baselines();
    List<Row> rows = new ArrayList<>();
    for (Subject s : c.subjects()) {
      Optional<String> problem = c.problem(s.id());
      Optional<Stats> st = c.stats(s.id(), metric.key());
      if (problem.isEmpty() && st.isEmpty()) {
        problem = Optional.of("no figure");
      }
      if (problem.isPresent()) {
        rows.add(new Row(s.id(), problem, List.of(), "", ""));
        continue;
      }
      List<String> ratios = new ArrayList<>();
      for (Subject b : baselines) {
        if (b.id().equals(s.id())) {
          ratios.add("—");
        } else {
          double base = c.stats(b.id(), metric.key()).map(Stats::median).orElse(Double.NaN);
          ratios.add(metric.compare(base, st.get().median()).orElse(""));
        }
      }
      String unit = metric.unit();
      rows.add(
          new Row(
              s.id(),
              Optional.empty(),
              ratios,
              Format.value(st.get().median(), unit),
              Format.value(st.get().min(), unit) + " … " + Format.value(st.get().max(), unit)));
    }
    return rows;
  }
}
