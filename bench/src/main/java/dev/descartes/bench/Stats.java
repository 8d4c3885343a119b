package dev.descartes.bench;

import java.util.Collection;
import java.util.Optional;

/** Minimum, median and maximum of one figure over the runs of one subject. */
public record Stats(double min, double median, double max, int runs) {

  /** The statistics of {@code values}; empty when there are none. */
  public static Optional<Stats> of(Collection<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Optional.empty();
    }
    double median =
        v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    return Optional.of(new Stats(v[0], median, v[v.length - 1], v.length));
  }
}
