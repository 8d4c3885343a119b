package dev.descartes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The figures as Markdown, for {@code docs/BENCHMARKS.md}: one table per case (a row per subject, a
 * column per figure, each cell the ratio first and the median and range second), and a closing
 * table of the ratios of the runner to each peer on each case's headline figure.
 */
public final class MarkdownReport {

  private MarkdownReport() {}

  public static String render(List<CaseResult> cases, Machine machine, String command) {
    StringBuilder md = new StringBuilder();
    md.append("<!-- written by bench/run; do not edit by hand -->\n\n");
    md.append("Command: `").append(command).append("`\n\n");
    md.append(machine.markdown()).append('\n');
    md.append(
            "How to read a cell: **the runner against this subject** first (\"2.1× slower\" means the ")
        .append(
            "runner took 2.1 times as long, or used 2.1 times as much), then this subject's median ")
        .append("and, in brackets, its minimum and maximum over the runs.\n\n");
    for (CaseResult c : cases) {
      table(md, c);
    }
    ratios(md, cases);
    return md.toString();
  }

  private static void table(StringBuilder md, CaseResult c) {
    Variant v = c.variant();
    md.append("### ")
        .append(v.id())
        .append(": ")
        .append(v.title())
        .append(" (")
        .append(v.runs())
        .append(v.runs() == 1 ? " run" : " runs")
        .append(")\n\n");
    String load = c.loadRange();
    if (!load.isEmpty()) {
      md.append("Load average (1 min) as its runs started: ").append(load).append(".\n\n");
    }
    md.append("| subject |");
    v.shown()
        .forEach(
            m ->
                md.append(' ')
                    .append(m.label())
                    .append(m.unit().isEmpty() ? "" : " (" + m.unit() + ")")
                    .append(" |"));
    md.append("\n|---|");
    v.shown().forEach(m -> md.append("---|"));
    md.append('\n');
    List<List<Row>> columns = v.shown().stream().map(m -> Row.of(c, m)).toList();
    List<Subject> baselines = c.baselines();
    for (int i = 0; i < c.subjects().size(); i++) {
      Subject s = c.subjects().get(i);
      md.append("| ").append(s.id()).append(" |");
      Optional<String> problem =
          columns.isEmpty() ? Optional.empty() : columns.getFirst().get(i).problem();
      if (problem.isPresent()) {
        md.append(' ').append(problem.get().replace("|", "\\|").replace("\n", " ")).append(" |");
        md.append(" |".repeat(Math.max(0, v.shown().size() - 1))).append('\n');
        continue;
      }
      for (List<Row> col : columns) {
        Row r = col.get(i);
        md.append(' ').append(cell(r, baselines)).append(" |");
      }
      md.append('\n');
    }
    md.append('\n');
  }

  private static String cell(Row r, List<Subject> baselines) {
    if (r.problem().isPresent()) {
      return r.problem().get();
    }
    List<String> parts = new ArrayList<>();
    for (int b = 0; b < r.ratios().size(); b++) {
      String x = r.ratios().get(b);
      if (!x.isEmpty() && !x.equals("—")) {
        parts.add(baselines.size() > 1 ? baselines.get(b).id() + " " + x : x);
      }
    }
    String ratio = parts.isEmpty() ? "" : "**" + String.join("; ", parts) + "** · ";
    return ratio + r.median() + " (" + r.range().replace(" … ", "–") + ")";
  }

  private static void ratios(StringBuilder md, List<CaseResult> cases) {
    List<String> peers =
        cases.stream()
            .flatMap(c -> c.subjects().stream())
            .filter(s -> !s.isRunner())
            .map(Subject::id)
            .distinct()
            .toList();
    md.append("### The ratios\n\n");
    md.append("Each case's headline figure: how the runner compares with each peer ")
        .append("(the runner's median against the peer's median).\n\n");
    md.append("| case | figure | runner |");
    peers.forEach(p -> md.append(' ').append(p).append(" |"));
    md.append("\n|---|---|---|");
    peers.forEach(p -> md.append("---|"));
    md.append('\n');
    for (CaseResult c : cases) {
      MetricSpec m = c.variant().shown().getFirst();
      if (!m.compared()) {
        continue;
      }
      for (Subject b : c.baselines()) {
        md.append("| ")
            .append(c.variant().id())
            .append(" | ")
            .append(m.label())
            .append(" | ")
            .append(b.id())
            .append(' ')
            .append(
                c.stats(b.id(), m.key()).map(st -> Format.value(st.median(), m.unit())).orElse(""))
            .append(" |");
        for (String p : peers) {
          Optional<Stats> ps = c.stats(p, m.key());
          String cell =
              c.problem(p).isPresent() || ps.isEmpty()
                  ? "—"
                  : m.compare(c.stats(b.id(), m.key()).orElseThrow().median(), ps.get().median())
                      .orElse("—");
          md.append(' ').append(cell).append(" |");
        }
        md.append('\n');
      }
    }
    md.append('\n');
  }
}
