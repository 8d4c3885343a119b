package dev.descartes.bench;

import static dev.descartes.bench.MetricSpec.time;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scenario 6, time to the first event of the real claude CLI against the tests' fake model server:
 * a cold spawn per turn, and turns sent to one pre-warmed stream-json session. Runner engines only.
 */
public final class ClaudeVariants {

  /** The fake Anthropic server of the backend tests (branch {@code backends}). */
  static final String FAKE_SERVER = "dev.descartes.runner.testing.fakemodel.FakeModelServer";

  /** The pace of the pool cases' steady load. */
  private static final int INTERVAL_MS = 2000;

  private ClaudeVariants() {}

  static List<Variant> variants(Sizes s, Toolchain tools) {
    int turns = 20; // the median over 20 in every mode: 20 cold spawns take about half a minute
    String cli = "claude=" + tools.claude().orElse("");
    List<MetricSpec> shown =
        List.of(
            time("first_event_p50_ms", "first event, median", "ms"),
            time("first_event_max_ms", "first event, max", "ms"),
            time("result_p50_ms", "result event, median", "ms"));
    return List.of(
        new Variant(
            "ttfe",
            "ttfe-cold",
            "claude: cold spawn per turn (" + turns + " turns), fake model server",
            List.of(cli, "mode=cold", "turns=" + turns),
            shown,
            s.runs(),
            true),
        new Variant(
            "ttfe",
            "ttfe-warm",
            "claude: turns on one pre-warmed stream-json session ("
                + turns
                + " turns), fake model server",
            List.of(cli, "mode=warm", "turns=" + turns),
            shown,
            s.runs(),
            true),
        pool("ttfe-pool", "initialize handshake only", List.of(), cli, turns, s),
        pool(
            "ttfe-pool-warmed",
            "one warm-up turn each",
            List.of("warmup=Warm up."),
            cli,
            turns,
            s));
  }

  private static Variant pool(
      String id, String readiness, List<String> more, String cli, int turns, Sizes s) {
    List<String> args =
        new ArrayList<>(
            List.of(cli, "mode=pool", "turns=" + turns, "warm=4", "interval_ms=" + INTERVAL_MS));
    args.addAll(more);
    return new Variant(
        "ttfe",
        id,
        "claude: AgentPool of stream-json sessions (4 warm, ready = "
            + readiness
            + "), a lease every "
            + INTERVAL_MS
            + " ms, "
            + turns
            + " leases, each from lease() + first message; fake model"
            + " server",
        args,
        List.of(
            time("first_event_p50_ms", "first event after lease(), median", "ms"),
            time("first_event_max_ms", "first event after lease(), max", "ms"),
            time("result_p50_ms", "result event, median", "ms"),
            time("lease_wait_p50_ms", "lease() wait, median", "ms"),
            MetricSpec.info("fewest_ready", "fewest ready sessions at a lease", "sessions"),
            MetricSpec.rate("refill_per_s", "refill rate", "sessions/s"),
            MetricSpec.info("leases_per_s", "lease rate", "leases/s")),
        s.runs(),
        true);
  }

  /** Why scenario 6 cannot run here, if it cannot. */
  static Optional<String> unavailable(Toolchain tools) {
    try {
      Class.forName(FAKE_SERVER);
    } catch (ClassNotFoundException e) {
      return Optional.of(
          "the fake Anthropic model server ("
              + FAKE_SERVER
              + ", branch backends) is not in this build");
    }
    if (tools.claude().isEmpty()) {
      return Optional.of(
          "the claude CLI is not installed (run scripts/install-agent-clis.sh claude, or set "
              + "DESCARTES_CLAUDE_CLI)");
    }
    return Optional.empty();
  }
}
