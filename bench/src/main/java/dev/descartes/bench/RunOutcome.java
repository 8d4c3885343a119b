package dev.descartes.bench;

import java.util.List;
import java.util.Map;

/**
 * What one run of one subject on one case gave: figures, or a reason it was skipped, or an error;
 * plus any processes it left behind and the warnings it logged.
 *
 * @param subject the subject's id
 * @param run the run's number, from 1
 * @param metrics the figures, empty when skipped or failed
 * @param skipped why it did not run, or null
 * @param error what went wrong, or null
 * @param leaked processes still alive after the worker exited (killed by the harness)
 * @param warnings lines of the worker's stderr that say WARN
 * @param seconds how long the worker ran
 * @param loadAverage the machine's 1, 5 and 15 minute load averages as the run started (other work
 *     on the machine shows here)
 */
public record RunOutcome(
    String subject,
    int run,
    Map<String, Double> metrics,
    String skipped,
    String error,
    List<String> leaked,
    List<String> warnings,
    double seconds,
    String loadAverage) {

  public RunOutcome {
    metrics = Map.copyOf(metrics);
    leaked = List.copyOf(leaked);
    warnings = List.copyOf(warnings);
  }

  public static RunOutcome skipped(String subject, int run, String reason) {
    return new RunOutcome(
        subject, run, Map.of(), reason, null, List.of(), List.of(), 0, Machine.loadAverage());
  }

  public boolean ok() {
    return skipped == null && error == null && leaked.isEmpty();
  }
}
