package dev.descartes.bench;

import java.util.List;

/**
 * One measured case: a scenario with its arguments (a scenario such as spawn has two cases: no cap,
 * and a cap of 64), the figures it shows, and how often it runs.
 *
 * @param scenario the scenario the workers run ({@code spawn}, {@code throughput}, ...)
 * @param id unique within the run, such as {@code spawn-cap64}
 * @param title what the tables and plots say it is
 * @param args the workers' {@code key=value} arguments
 * @param shown the figures tables and plots show, the most telling first
 * @param runs runs per subject
 * @param runnerOnly only the runner's engines can run it (the peers have no such workload)
 */
public record Variant(
    String scenario,
    String id,
    String title,
    List<String> args,
    List<MetricSpec> shown,
    int runs,
    boolean runnerOnly) {

  public Variant {
    args = List.copyOf(args);
    shown = List.copyOf(shown);
  }
}
