package dev.descartes.bench.worker;

/**
 * Scenario 6 in a worker: time to the first event of the real claude CLI. Needs the fake model
 * server of the backend tests; without it the scenario is reported as skipped.
 */
final class ClaudeFirstEvent {

  private final WorkArgs args;

  ClaudeFirstEvent(WorkArgs args) {
    this.args = args;
  }

  Metrics run() {
    throw new Workloads.Skipped("the fake Anthropic model server is not in this build (claude="
        + args.get("claude", "") + ")");
  }
}
