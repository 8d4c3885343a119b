package dev.descartes.server;

import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics, in their own registry: agents by status, spawns, exits by
 * outcome, spawn latency, lines and bytes per agent and stream, CPU seconds and resident memory per
 * agent, cost and tokens by backend and model, limits hit. Labels carry names, ids, backends and
 * models, never an environment value.
 *
 * <p>Thread-safe.
 */
final class Metrics {

  /** What the per-agent gauges read: one entry per agent the daemon holds. */
  record Agent(String name, String id, String backend, AgentInfo info) {}

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter spawns;
  private final Counter spawnFailures;
  private final Counter exits;
  private final Counter cost;
  private final Counter tokens;
  private final Counter limits;
  private final Histogram spawnLatency;

  Metrics(Supplier<List<Agent>> agents) {
    spawns =
        Counter.builder()
            .name("descartes_agent_spawns_total")
            .help("Agents spawned")
            .labelNames("backend")
            .register(registry);
    spawnFailures =
        Counter.builder()
            .name("descartes_agent_spawn_failures_total")
            .help("Spawns that failed")
            .labelNames("backend")
            .register(registry);
    exits =
        Counter.builder()
            .name("descartes_agent_exits_total")
            .help("Agents that ended, by status")
            .labelNames("backend", "status")
            .register(registry);
    cost =
        Counter.builder()
            .name("descartes_cost_usd_total")
            .help("Cost reported by the agents' CLIs, in USD")
            .labelNames("backend", "model")
            .register(registry);
    tokens =
        Counter.builder()
            .name("descartes_tokens_total")
            .help("Tokens reported by the agents' CLIs")
            .labelNames("backend", "model", "direction")
            .register(registry);
    limits =
        Counter.builder()
            .name("descartes_limits_hit_total")
            .help("Spawns refused or delayed by a limit")
            .labelNames("limit")
            .register(registry);
    spawnLatency =
        Histogram.builder()
            .name("descartes_spawn_latency_seconds")
            .help("Time from the spawn request to the agent's process running")
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .register(registry);
    GaugeWithCallback.builder()
        .name("descartes_agents")
        .help("Agents held by the daemon, by status")
        .labelNames("status")
        .callback(
            cb -> {
              Map<AgentStatus, Integer> n = new EnumMap<>(AgentStatus.class);
              for (AgentStatus s : AgentStatus.values()) {
                n.put(s, 0);
              }
              agents.get().forEach(a -> n.merge(a.info().status(), 1, Integer::sum));
              n.forEach((s, c) -> cb.call(c, s.name().toLowerCase(Locale.ROOT)));
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("descartes_agent_lines_total")
        .help("Lines per agent and stream")
        .labelNames("agent", "agent_id", "stream")
        .callback(
            cb ->
                agents
                    .get()
                    .forEach(
                        a -> {
                          var m = a.info().metrics();
                          cb.call(m.stdinLines(), a.name(), a.id(), "stdin");
                          cb.call(m.stdoutLines(), a.name(), a.id(), "stdout");
                          cb.call(m.stderrLines(), a.name(), a.id(), "stderr");
                        }))
        .register(registry);
    CounterWithCallback.builder()
        .name("descartes_agent_bytes_total")
        .help("Bytes per agent and stream")
        .labelNames("agent", "agent_id", "stream")
        .callback(
            cb ->
                agents
                    .get()
                    .forEach(
                        a -> {
                          var m = a.info().metrics();
                          cb.call(m.stdoutBytes(), a.name(), a.id(), "stdout");
                          cb.call(m.stderrBytes(), a.name(), a.id(), "stderr");
                        }))
        .register(registry);
    CounterWithCallback.builder()
        .name("descartes_agent_cpu_seconds_total")
        .help("CPU time of the agent's whole process tree")
        .labelNames("agent", "agent_id")
        .callback(
            cb ->
                agents
                    .get()
                    .forEach(
                        a ->
                            a.info()
                                .metrics()
                                .resources()
                                .ifPresent(
                                    r -> cb.call(r.cpuTime().toNanos() / 1e9, a.name(), a.id()))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("descartes_agent_resident_bytes")
        .help("Resident memory of the agent's whole process tree")
        .labelNames("agent", "agent_id")
        .callback(
            cb ->
                agents
                    .get()
                    .forEach(
                        a ->
                            a.info()
                                .metrics()
                                .resources()
                                .ifPresent(r -> cb.call(r.residentBytes(), a.name(), a.id()))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("descartes_agent_uptime_seconds")
        .help("Time since the agent started")
        .labelNames("agent", "agent_id")
        .callback(
            cb ->
                agents
                    .get()
                    .forEach(
                        a ->
                            cb.call(
                                a.info().metrics().uptime().toMillis() / 1e3, a.name(), a.id())))
        .register(registry);
  }

  /** The runner's hook that counts spawns, their latency and refused spawns. */
  dev.descartes.runner.RunnerListener listener() {
    return new dev.descartes.runner.RunnerListener() {
      @Override
      public void spawned(dev.descartes.runner.AgentHandle agent, Duration latency) {
        Metrics.this.spawned(History.backendOf(agent.config()), latency);
      }

      @Override
      public void spawnFailed(
          dev.descartes.runner.AgentConfig config, dev.descartes.runner.AgentException error) {
        Metrics.this.spawnFailed(History.backendOf(config));
        if (error instanceof dev.descartes.runner.AgentException.LimitReached) {
          limitHit("max_concurrent_agents");
        }
      }
    };
  }

  void spawned(String backend, Duration latency) {
    spawns.labelValues(backend).inc();
    spawnLatency.observe(latency.toNanos() / 1e9);
  }

  void spawnFailed(String backend) {
    spawnFailures.labelValues(backend).inc();
  }

  void limitHit(String limit) {
    limits.labelValues(limit).inc();
  }

  void exited(
      String backend, String model, AgentStatus status, java.util.Optional<AgentOutcome> outcome) {
    exits.labelValues(backend, status.name().toLowerCase(Locale.ROOT)).inc();
    outcome.ifPresent(
        o -> {
          String m = model == null || model.isEmpty() ? "default" : model;
          o.costUsd().ifPresent(c -> cost.labelValues(backend, m).inc(c));
          if (o.inputTokens() + o.outputTokens() > 0) {
            tokens.labelValues(backend, m, "input").inc(o.inputTokens());
            tokens.labelValues(backend, m, "output").inc(o.outputTokens());
          }
        });
  }

  /** The text exposition format. */
  void write(OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
  }

  static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
