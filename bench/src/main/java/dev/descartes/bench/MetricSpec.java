package dev.descartes.bench;

/**
 * One figure a scenario shows: its key in the workers' JSON, how to print it, and which way is
 * better.
 *
 * @param key the name in {@code {"metrics": {...}}}
 * @param label what the table and plot call it
 * @param unit the unit of the raw value (ms, us, KiB, MiB/s, %, threads, ...)
 * @param kind how a ratio between two subjects reads
 */
public record MetricSpec(String key, String label, String unit, Kind kind) {

  /**
   * How a ratio reads: a time is slower or faster, a rate the other way round, a count more or
   * fewer.
   */
  public enum Kind {
    /** Lower is better; the ratio says "slower" or "faster". */
    TIME("slower", "faster", true),
    /** Higher is better; the ratio says "slower" or "faster". */
    RATE("slower", "faster", false),
    /** Lower is better; the ratio says "more" or "fewer". */
    COUNT("more", "fewer", true),
    /** A reading with no better side (a count before or after); no ratio is shown. */
    INFO("", "", true);

    final String worse;
    final String better;
    final boolean lowerIsBetter;

    Kind(String worse, String better, boolean lowerIsBetter) {
      this.worse = worse;
      this.better = better;
      this.lowerIsBetter = lowerIsBetter;
    }
  }

  public static MetricSpec time(String key, String label, String unit) {
    return new MetricSpec(key, label, unit, Kind.TIME);
  }

  public static MetricSpec rate(String key, String label, String unit) {
    return new MetricSpec(key, label, unit, Kind.RATE);
  }

  public static MetricSpec count(String key, String label, String unit) {
    return new MetricSpec(key, label, unit, Kind.COUNT);
  }

  public static MetricSpec info(String key, String label, String unit) {
    return new MetricSpec(key, label, unit, Kind.INFO);
  }

  /** Whether tables and plots compare subjects on it. */
  public boolean compared() {
    return kind != Kind.INFO;
  }

  /** "lower is better", "higher is better", or "" for a plain reading. */
  public String direction() {
    return switch (kind) {
      case TIME, COUNT -> "lower is better";
      case RATE -> "higher is better";
      case INFO -> "";
    };
  }

  /**
   * How much worse {@code subject} is than {@code other} on this figure, as "2.10× slower", or
   * empty when a ratio means nothing (a zero or negative value).
   */
  public java.util.Optional<String> compare(double subject, double other) {
    if (kind == Kind.INFO || !(subject > 0) || !(other > 0)) {
      return java.util.Optional.empty();
    }
    double cost = kind.lowerIsBetter ? subject / other : other / subject;
    if (Math.abs(cost - 1) < 0.005) {
      return java.util.Optional.of("1.00× (same)");
    }
    return java.util.Optional.of(
        cost >= 1
            ? Format.ratio(cost) + " " + kind.worse
            : Format.ratio(1 / cost) + " " + kind.better);
  }

  /** The cost ratio itself: above 1 means {@code subject} is worse than {@code other}. */
  public double cost(double subject, double other) {
    return kind.lowerIsBetter ? subject / other : other / subject;
  }
}
