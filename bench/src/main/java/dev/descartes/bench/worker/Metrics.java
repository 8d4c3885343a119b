package dev.descartes.bench.worker;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The figures one workload run reports, in order, and the percentile rule every peer shares. */
public final class Metrics {

  private final Map<String, Double> values = new LinkedHashMap<>();

  public Metrics put(String name, double value) {
    values.put(name, value);
    return this;
  }

  public Map<String, Double> values() {
    return values;
  }

  /**
   * The value at rank round(p/100 * (n-1)) of the sorted samples: the rule of the C, Python and
   * Node peers.
   */
  public static double percentile(double[] samples, double p) {
    double[] v = samples.clone();
    Arrays.sort(v);
    return v[(int) Math.round(p / 100 * (v.length - 1))];
  }

  public static double mean(double[] samples) {
    return Arrays.stream(samples).average().orElse(Double.NaN);
  }

  public static double micros(long nanos) {
    return nanos / 1e3;
  }

  public static double millis(long nanos) {
    return nanos / 1e6;
  }
}
