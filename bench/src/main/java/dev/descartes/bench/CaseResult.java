package dev.descartes.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every run of every subject on one case, and what can be said from them. */
public final class CaseResult {

  private final Variant variant;
  private final List<Subject> subjects;
  private final Map<String, List<RunOutcome>> outcomes = new LinkedHashMap<>();

  public CaseResult(Variant variant, List<Subject> subjects) {
    this.variant = variant;
    this.subjects = List.copyOf(subjects);
    subjects.forEach(s -> outcomes.put(s.id(), new ArrayList<>()));
  }

  public Variant variant() {
    return variant;
  }

  public List<Subject> subjects() {
    return subjects;
  }

  public synchronized void add(RunOutcome o) {
    outcomes.get(o.subject()).add(o);
  }

  public synchronized List<RunOutcome> outcomes(String subject) {
    return List.copyOf(
        outcomes.getOrDefault(subject, List.of())); // a case may measure fewer subjects
  }

  /**
   * The 1-minute load averages as the case's runs started, lowest and highest ("" before any run):
   * how quiet the machine was while this case was measured.
   */
  public synchronized String loadRange() {
    double lo = Double.MAX_VALUE;
    double hi = -1;
    for (List<RunOutcome> runs : outcomes.values()) {
      for (RunOutcome o : runs) {
        try {
          double one = Double.parseDouble(o.loadAverage().trim().split("\\s+")[0]);
          lo = Math.min(lo, one);
          hi = Math.max(hi, one);
        } catch (RuntimeException e) {
          // no load average recorded for this run
        }
      }
    }
    return hi < 0 ? "" : String.format(java.util.Locale.ROOT, "%.2f–%.2f", lo, hi);
  }

  /** The figure's statistics over the subject's successful runs. */
  public Optional<Stats> stats(String subject, String metric) {
    return Stats.of(
        outcomes(subject).stream()
            .filter(RunOutcome::ok)
            .map(o -> o.metrics().get(metric))
            .filter(v -> v != null && !v.isNaN())
            .toList());
  }

  /**
   * Why a subject has no figures: the skip reason, or the first error or leak; empty if it has
   * some.
   */
  public Optional<String> problem(String subject) {
    List<RunOutcome> runs = outcomes(subject);
    for (RunOutcome o : runs) {
      if (o.error() != null) {
        return Optional.of("FAILED: " + o.error());
      }
      if (!o.leaked().isEmpty()) {
        return Optional.of("LEAKED " + o.leaked().size() + " processes: " + o.leaked().getFirst());
      }
    }
    return runs.stream()
        .filter(o -> o.skipped() != null)
        .findFirst()
        .map(o -> "skipped: " + o.skipped());
  }

  /** The runner subjects that have figures, in order: the ones every ratio is taken against. */
  public List<Subject> baselines() {
    return subjects.stream()
        .filter(Subject::isRunner)
        .filter(s -> problem(s.id()).isEmpty())
        .toList();
  }

  /** Whether any run failed or leaked. */
  public boolean failed() {
    return subjects.stream()
        .flatMap(s -> outcomes(s.id()).stream())
        .anyMatch(o -> o.error() != null || !o.leaked().isEmpty());
  }
}
