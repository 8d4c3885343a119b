package dev.descartes.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the machine-readable results: {@code <scenario>.json} per scenario, with the machine, the
 * command, and for each case every run of every subject, its statistics and its ratios.
 */
public final class ResultStore {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ResultStore() {}

  public static void write(
      Path dir,
      String scenario,
      List<CaseResult> cases,
      Machine machine,
      String command,
      Sizes sizes)
      throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("scenario", scenario);
    doc.put("command", command);
    doc.put("mode", sizes.mode());
    doc.put("machine", machine.facts());
    doc.put("load_average_at_end", Machine.loadAverage());
    doc.put(
        "ratios",
        "<runner>_cost_ratio: the runner's median over this subject's (the other way round for"
            + " rates such as MiB/s); above 1 the runner is slower or uses more, below 1 it is ahead");
    List<Object> list = new ArrayList<>();
    for (CaseResult c : cases) {
      list.add(caseJson(c));
    }
    doc.put("cases", list);
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve(scenario + ".json").toFile(), doc);
  }

  private static Map<String, Object> caseJson(CaseResult c) {
    Variant v = c.variant();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("title", v.title());
    m.put("args", v.args());
    m.put("runs", v.runs());
    m.put(
        "figures",
        v.shown().stream()
            .map(
                s ->
                    Map.of(
                        "key",
                        s.key(),
                        "label",
                        s.label(),
                        "unit",
                        s.unit(),
                        "better",
                        s.direction()))
            .toList());
    Map<String, Object> subjects = new LinkedHashMap<>();
    for (Subject s : c.subjects()) {
      Map<String, Object> sj = new LinkedHashMap<>();
      sj.put("note", s.note());
      c.problem(s.id()).ifPresent(p -> sj.put("problem", p));
      sj.put("runs", c.outcomes(s.id()));
      Map<String, Object> summary = new LinkedHashMap<>();
      for (MetricSpec spec : v.shown()) {
        c.stats(s.id(), spec.key())
            .ifPresent(
                st -> {
                  Map<String, Object> f = new LinkedHashMap<>();
                  f.put("min", st.min());
                  f.put("median", st.median());
                  f.put("max", st.max());
                  Map<String, Double> ratios = new LinkedHashMap<>();
                  for (Subject b : c.baselines()) {
                    c.stats(b.id(), spec.key())
                        .ifPresent(
                            bs -> {
                              if (spec.compared()
                                  && !b.id().equals(s.id())
                                  && bs.median() > 0
                                  && st.median() > 0) {
                                ratios.put(
                                    b.id() + "_cost_ratio", spec.cost(bs.median(), st.median()));
                              }
                            });
                  }
                  if (!ratios.isEmpty()) {
                    f.put("ratios", ratios);
                  }
                  summary.put(spec.key(), f);
                });
      }
      sj.put("summary", summary);
      subjects.put(s.id(), sj);
    }
    m.put("subjects", subjects);
    return m;
  }
}
