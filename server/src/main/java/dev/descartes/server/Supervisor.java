package dev.descartes.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.OutputDelivery;
import dev.descartes.runner.OutputLine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Owns the daemon's {@link LocalProcessRunner} and what the daemon adds around each agent: its
 * event log with ids (for SSE), its history record, its metrics, and fleets that wait for a slot.
 * Also, at start, finds the runs an earlier daemon left alive when it died, kills what is left of
 * them and marks them lost.
 *
 * <p>Thread-safe.
 */
final class Supervisor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  /** One agent of the daemon. */
  final class Managed {
    final AgentId id;
    final String name;
    final AgentConfig config;
    final FleetRun fleet;
    final EventLog log;
    final EventJson json;
    volatile AgentHandle handle;
    volatile String model;
    volatile double costUsd = Double.NaN;
    volatile Instant lastActivity;
    // what the agent's own events said, for command agents whose CLI format the runner does not
    // parse
    String sessionId;
    long inputTokens;
    long outputTokens;
    JsonNode result;
    private final AtomicInteger parts = new AtomicInteger(2); // Exited seen, stderr drained

    Managed(AgentId id, AgentConfig config, FleetRun fleet) {
      this.id = id;
      this.name = config.name();
      this.config = config;
      this.fleet = fleet;
      this.log = new EventLog(settings.eventsPerAgent(), settings.eventBytesPerAgent());
      this.json = new EventJson(name, id.toString());
      this.model = config.model().orElse(null);
    }

    void partDone() {
      if (parts.decrementAndGet() == 0) {
        log.end();
      }
    }
  }

  private final ServerConfig settings;
  private final LocalProcessRunner runner;
  private final History history;
  private final Metrics metrics;
  private final Map<AgentId, Managed> agents = new ConcurrentHashMap<>();
  private final Map<AgentId, List<AgentEvent>> early = new ConcurrentHashMap<>();
  private final EventLog changes;
  private final List<Thread> fleetStarters = new CopyOnWriteArrayList<>();
  private final List<FleetRun> fleets = new CopyOnWriteArrayList<>();
  private final AtomicLong order = new AtomicLong();
  private final Map<AgentId, Long> spawnOrder = new ConcurrentHashMap<>();
  private final AutoCloseable listener;
  private volatile boolean closing;

  Supervisor(ServerConfig settings, History history) {
    this.settings = settings;
    this.history = history;
    this.changes = new EventLog(10_000, 8L << 20);
    var b =
        dev.descartes.runner.ProcessRunnerConfig.builder()
            .shutdownHook(false)
            .healthCheckInterval(
                Duration.ofSeconds(2)) // CPU and memory on the dashboard and in /metrics
            .shutdownTimeout(settings.stopTimeout());
    if (settings.transcripts()) {
      b.transcriptDir(settings.dataDir().resolve("transcripts"));
    }
    this.metrics = new Metrics(this::metricAgents);
    this.runner = new LocalProcessRunner(b.listener(metrics.listener()).build());
    this.listener = runner.onEvent(this::onEvent);
    recoverLostRuns();
  }

  Metrics metrics() {
    return metrics;
  }

  History history() {
    return history;
  }

  EventLog changes() {
    return changes;
  }

  // ---- starting agents ----

  /** Starts one agent; returns it once its process runs. */
  Managed start(AgentConfig config, FleetRun fleet) {
    if (closing) {
      throw new ApiException(
          503, "shutting_down", "the daemon is stopping; start the agent once it runs again");
    }
    Instant requested = Instant.now();
    AgentHandle h;
    AgentOutput[] stderr = new AgentOutput[1];
    try {
      // stderr read with an every-line reader opened before the first byte: the daemon's record
      // of an agent drops nothing (stdout events come through the runner's every-line onEvent)
      h = runner.spawn(config, Duration.ZERO, a -> stderr[0] = a.stderr(OutputDelivery.EVERY_LINE));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(
          503, "shutting_down", "interrupted while starting the agent; start it again");
    } catch (AgentException e) {
      String runId = UUID.randomUUID().toString();
      inHistory(
          "the failed start of " + config.name(),
          () -> {
            history.created(runId, config, requested);
            history.spawnFailed(runId, e.getMessage(), Instant.now());
          });
      LOG.warn("agent {} did not start: {}", config.name(), e.getMessage());
      throw switch (e) {
        case AgentException.InvalidConfig x -> ApiException.badRequest(x.getMessage());
        case AgentException.LimitReached x ->
            new ApiException(429, "limit_reached", x.getMessage());
        default -> new ApiException(422, "spawn_failed", e.getMessage());
      };
    }
    Managed m = register(h, fleet);
    inHistory(
        "the start of " + config.name(),
        () -> {
          history.created(h.id().toString(), config, requested);
          history.started(
              h.id().toString(), h.pid(), h.info().startedAt(), h.stdout().transcript());
        });
    try (var _ = mdcScope(m)) {
      LOG.info("agent started, pid {}", h.pid());
    }
    change("spawned", m);
    AgentOutput errOut = stderr[0] != null ? stderr[0] : h.stderr(OutputDelivery.EVERY_LINE);
    Thread.ofVirtual().name("descartes-stderr-" + m.name).start(() -> drainStderr(m, errOut));
    h.onExit().whenComplete((x, err) -> ended(m, x));
    return m;
  }

  /** The result of starting a fleet: the agents started now, and the names that wait for a slot. */
  record FleetStart(String fleet, List<Managed> started, List<String> queued) {}

  /**
   * A fleet the daemon started: how its agents are stopped (its file's {@code stop:}), whether one
   * failure stops the others, and the agents still waiting for a slot.
   */
  static final class FleetRun {
    final String id;
    final Duration stopTimeout;
    final Optional<AgentSignal> stopSignal;
    final boolean failFast;

    /** Waiting for a slot, in start order; guarded by itself. */
    final Map<String, AgentConfig> waiting = new java.util.LinkedHashMap<>();

    /** Set once failFast stopped the fleet: nothing more starts. */
    volatile String stoppedBecause;

    /** The fleet's slots (maxConcurrency); an agent's slot is released once its end is handled. */
    volatile Semaphore slots;

    FleetRun(String id, Duration stopTimeout, Optional<AgentSignal> stopSignal, boolean failFast) {
      this.id = id;
      this.stopTimeout = stopTimeout;
      this.stopSignal = stopSignal;
      this.failFast = failFast;
    }

    /** Removes and returns the next waiting agent, or null. */
    AgentConfig next() {
      synchronized (waiting) {
        var it = waiting.values().iterator();
        if (!it.hasNext()) {
          return null;
        }
        AgentConfig c = it.next();
        it.remove();
        return c;
      }
    }

    List<AgentConfig> waitingNow() {
      synchronized (waiting) {
        return List.copyOf(waiting.values());
      }
    }
  }

  /** A fleet file's {@code stop:} section checked: signal interrupt or terminate, a timeout. */
  private FleetRun fleetRun(FleetSpec.StopSpec stop) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    if (stop == null) {
      return new FleetRun(id, settings.stopTimeout(), Optional.empty(), false);
    }
    Optional<AgentSignal> signal = Optional.empty();
    if (stop.signal() != null) {
      signal =
          Optional.of(
              switch (stop.signal().strip().toLowerCase(Locale.ROOT)) {
                case "interrupt", "int", "sigint" -> AgentSignal.INTERRUPT;
                case "terminate", "term", "sigterm" -> AgentSignal.TERMINATE;
                default ->
                    throw ApiException.badRequest(
                        "stop.signal: '"
                            + stop.signal()
                            + "' is not a stop signal; use interrupt (SIGINT) or terminate"
                            + " (SIGTERM), or leave it out for each backend's own sequence");
              });
    }
    Duration timeout = settings.stopTimeout();
    if (stop.timeout() != null) {
      try {
        timeout = HttpApi.duration(stop.timeout());
      } catch (ApiException e) {
        throw ApiException.badRequest("stop.timeout: " + e.getMessage());
      }
    }
    return new FleetRun(id, timeout, signal, Boolean.TRUE.equals(stop.failFast()));
  }

  /**
   * Starts a fleet: checked whole first, then the first {@code maxConcurrency} now, the others as
   * slots free.
   */
  FleetStart startFleet(FleetSpec spec, Path defaultDir) {
    if (spec.agents() == null || spec.agents().isEmpty()) {
      throw ApiException.badRequest(
          "no agents; add an 'agents' object with at least one named agent");
    }
    if (spec.maxConcurrency() != null && spec.maxConcurrency() < 1) {
      throw ApiException.badRequest(
          "maxConcurrency must be at least 1, was "
              + spec.maxConcurrency()
              + "; leave it out for no cap");
    }
    if (spec.agents().size() > settings.maxFleetAgents()) {
      throw ApiException.badRequest(
          "a fleet has at most "
              + settings.maxFleetAgents()
              + " agents, this one "
              + spec.agents().size()
              + "; split it");
    }
    Path dir = spec.dir() == null ? defaultDir : Path.of(spec.dir());
    if (!dir.isAbsolute()) {
      throw ApiException.badRequest("dir: give an absolute directory, was '" + spec.dir() + "'");
    }
    List<AgentConfig> configs = new ArrayList<>();
    spec.agents()
        .forEach(
            (name, a) -> {
              if (a == null) {
                throw ApiException.badRequest(
                    "agent '" + name + "': is empty; give its backend and task, or a command");
              }
              if (a.name() != null && !a.name().equals(name)) {
                throw ApiException.badRequest(
                    "agent '" + name + "': a fleet's agents are named by their key; remove 'name'");
              }
              configs.add(a.named(name).toConfig(dir));
            });
    FleetRun fleet = fleetRun(spec.stop());
    int cap = spec.maxConcurrency() == null ? configs.size() : spec.maxConcurrency();
    List<Managed> started = new ArrayList<>();
    Semaphore slots = new Semaphore(cap);
    fleet.slots = slots;
    int now = Math.min(cap, configs.size());
    for (int i = 0; i < now; i++) {
      slots.acquireUninterruptibly();
      Managed m = start(configs.get(i), fleet);
      started.add(m);
    }
    List<AgentConfig> rest = configs.subList(now, configs.size());
    synchronized (fleet.waiting) {
      rest.forEach(c -> fleet.waiting.put(c.name(), c));
    }
    if (!rest.isEmpty()) {
      fleets.add(fleet);
      Thread t =
          Thread.ofVirtual()
              .name("descartes-fleet-" + fleet.id)
              .unstarted(
                  () -> {
                    try {
                      while (true) {
                        slots.acquire();
                        AgentConfig c = fleet.next();
                        if (closing || c == null || fleet.stoppedBecause != null) {
                          return;
                        }
                        try {
                          start(c, fleet);
                        } catch (RuntimeException e) { // an ApiException, or a bug: the rest go on
                          if (!(e instanceof ApiException)) {
                            LOG.error("fleet {}: agent {} did not start", fleet.id, c.name(), e);
                          }
                          slots.release();
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
      fleetStarters.add(t);
      t.start();
    }
    return new FleetStart(fleet.id, started, rest.stream().map(AgentConfig::name).toList());
  }

  // ---- events ----

  private void onEvent(AgentEvent e) {
    Managed m = agents.get(e.agentId());
    if (m == null) {
      // delivered before spawn() returned and the agent was registered: kept until then
      synchronized (early) {
        m = agents.get(e.agentId());
        if (m == null) {
          early.computeIfAbsent(e.agentId(), k -> new ArrayList<>()).add(e);
          return;
        }
      }
    }
    record(m, e);
  }

  private Managed register(AgentHandle h, FleetRun fleet) {
    Managed m = new Managed(h.id(), h.config(), fleet);
    m.handle = h;
    m.lastActivity = Instant.now();
    spawnOrder.put(h.id(), order.incrementAndGet());
    synchronized (early) {
      List<AgentEvent> before = early.remove(h.id());
      if (before != null) {
        synchronized (m) {
          before.forEach(e -> record(m, e));
        }
      }
      agents.put(h.id(), m);
    }
    return m;
  }

  private void record(Managed m, AgentEvent e) {
    synchronized (m) {
      for (ObjectNode n : m.json.of(e)) {
        m.log.append(n.toString());
        switch (n.path("type").asText()) {
          case "session_started" -> {
            if (n.hasNonNull("model")) {
              m.model = n.get("model").asText();
            }
            m.sessionId = n.path("session_id").asText(null);
          }
          case "usage" -> {
            if (n.has("cost_usd")) {
              m.costUsd = n.get("cost_usd").asDouble();
            }
            m.inputTokens += n.path("input_tokens").asLong();
            m.outputTokens += n.path("output_tokens").asLong();
          }
          case "result" -> {
            m.result = n;
            if (n.has("cost_usd")) {
              m.costUsd = n.get("cost_usd").asDouble();
            }
          }
          default -> {}
        }
      }
      m.lastActivity = e.at();
    }
    if (e instanceof AgentEvent.Exited) {
      m.partDone();
    }
  }

  private void drainStderr(Managed m, AgentOutput err) {
    try (err) {
      while (true) {
        Optional<OutputLine> l = err.poll(Duration.ofSeconds(1));
        if (l.isPresent()) {
          synchronized (m) {
            m.log.append(m.json.stderr(l.get().text()).toString());
            m.lastActivity = Instant.now();
          }
        } else if (err.isFinished()) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      m.partDone();
    }
  }

  private void ended(Managed m, ExitStatus exit) {
    AgentHandle h = m.handle;
    AgentStatus status = h.status();
    Optional<AgentOutcome> outcome = outcome(m, h, exit);
    outcome.ifPresent(o -> o.costUsd().ifPresent(c -> m.costUsd = c));
    inHistory(
        "the end of " + m.name,
        () ->
            history.ended(
                m.id.toString(),
                status,
                exit == null ? h.info().exitStatus().orElse(ExitStatus.exited(-1)) : exit,
                outcome,
                h.info().endedAt().orElse(Instant.now())));
    try {
      metrics.exited(History.backendOf(m.config), m.model, status, outcome);
      try (var _ = mdcScope(m)) {
        LOG.info("agent ended: {} ({})", status.name().toLowerCase(Locale.ROOT), exit);
        if (status == AgentStatus.FAILED && m.fleet != null && m.fleet.failFast && !closing) {
          failFast(m);
        }
      }
    } finally {
      if (m.fleet != null) {
        m.fleet.slots.release(); // after failFast: a waiting agent never starts after a failure
      }
    }
    change("exited", m);
  }

  /**
   * Writes to the history; a failed write (the database is gone, or its disk full) is logged, and
   * the agent it concerns is still started, watched and ended as if it had succeeded.
   */
  private void inHistory(String what, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      LOG.error("cannot record {} in the history: {}", what, e.getMessage());
    }
  }

  /** One agent of a failFast fleet failed: nothing more of it starts, the others are stopped. */
  private void failFast(Managed failed) {
    FleetRun f = failed.fleet;
    synchronized (f) {
      if (f.stoppedBecause != null) {
        return;
      }
      f.stoppedBecause = "agent '" + failed.name + "' failed and failFast is set";
    }
    List<AgentConfig> never;
    synchronized (f.waiting) {
      never = List.copyOf(f.waiting.values());
      f.waiting.clear();
    }
    LOG.info(
        "fleet {}: {}; stopping its agents{}",
        f.id,
        f.stoppedBecause,
        never.isEmpty()
            ? ""
            : " and not starting "
                + String.join(", ", never.stream().map(AgentConfig::name).toList()));
    for (Managed m : list()) {
      if (m.fleet == f && m != failed) {
        stop(m, null);
      }
    }
  }

  /**
   * The runner's outcome, or for an agent whose CLI format only the daemon parsed, the one its
   * events gave.
   */
  private static Optional<AgentOutcome> outcome(Managed m, AgentHandle h, ExitStatus exit) {
    Optional<AgentOutcome> own = h.outcome();
    boolean ownHasResult =
        own.isPresent()
            && (own.get().resultText().isPresent()
                || own.get().sessionId().isPresent()
                || own.get().turns().isPresent());
    if (ownHasResult || m.result == null) {
      return own;
    }
    synchronized (m) {
      JsonNode r = m.result;
      boolean success = r.path("success").asBoolean() && exit != null && exit.success();
      return Optional.of(
          new AgentOutcome(
              success,
              Optional.ofNullable(r.path("text").asText(null)),
              success ? Optional.empty() : Optional.of(AgentOutcome.ErrorKind.EXECUTION_ERROR),
              Optional.ofNullable(r.path("error").asText(null)),
              Double.isNaN(m.costUsd)
                  ? java.util.OptionalDouble.empty()
                  : java.util.OptionalDouble.of(m.costUsd),
              m.inputTokens,
              m.outputTokens,
              r.has("turns")
                  ? java.util.OptionalInt.of(r.get("turns").asInt())
                  : java.util.OptionalInt.empty(),
              Optional.ofNullable(r.path("session_id").asText(m.sessionId)),
              exit == null ? ExitStatus.exited(-1) : exit));
    }
  }

  private void change(String what, Managed m) {
    ObjectNode n =
        EventJson.MAPPER
            .createObjectNode()
            .put("type", what)
            .put("agent", m.name)
            .put("agent_id", m.id.toString())
            .put("at", Instant.now().toString());
    changes.append(n.toString());
  }

  // ---- queries and actions ----

  /** Every agent the daemon holds, in start order. */
  List<Managed> list() {
    return agents.values().stream()
        .sorted(java.util.Comparator.comparingLong(m -> spawnOrder.getOrDefault(m.id, 0L)))
        .toList();
  }

  /** The agent with this id, or the newest with this name. */
  Managed find(String idOrName) {
    try {
      Managed m = agents.get(AgentId.parse(idOrName));
      if (m != null) {
        return m;
      }
    } catch (RuntimeException notAnId) {
      // a name
    }
    return list().reversed().stream()
        .filter(m -> m.name.equals(idOrName))
        .findFirst()
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "no agent '"
                        + idOrName
                        + "' in this daemon; 'descartes ps' lists them "
                        + "and 'descartes history' shows ended runs"));
  }

  void signal(Managed m, AgentSignal s) {
    try {
      m.handle.signal(s);
    } catch (AgentException e) {
      throw ApiException.conflict(e.getMessage());
    }
    switch (s) {
      case PAUSE -> history.status(m.id.toString(), "paused", Instant.now());
      case RESUME -> history.status(m.id.toString(), "running", Instant.now());
      default -> {}
    }
    try (var _ = mdcScope(m)) {
      LOG.info("signal {} sent", s);
    }
  }

  /**
   * Stops the agent in the background: with its fleet's {@code stop:} signal when the fleet file
   * gave one, else its backend's stop sequence; SIGKILL after {@code timeout} (null: the fleet's
   * timeout, or the daemon's).
   *
   * @return the thread that stops it
   */
  Thread stop(Managed m, Duration timeout) {
    Duration t =
        timeout != null ? timeout : m.fleet != null ? m.fleet.stopTimeout : settings.stopTimeout();
    Optional<GracefulShutdown> custom =
        m.fleet == null
            ? Optional.empty()
            : m.fleet.stopSignal.map(s -> GracefulShutdown.builder().signal(s).await(t).build());
    if (m.handle.onExit().isDone()) {
      return Thread.ofVirtual().start(() -> {});
    }
    history.status(m.id.toString(), "stopping", Instant.now());
    return Thread.ofVirtual()
        .name("descartes-stop-" + m.name)
        .start(
            () -> {
              try (var _ = mdcScope(m)) {
                LOG.info("stopping ({})", custom.map(Object::toString).orElse("timeout " + t));
                custom.ifPresentOrElse(g -> g.shutdown(m.handle), () -> m.handle.stop(t));
              }
            });
  }

  void kill(Managed m) {
    try (var _ = mdcScope(m)) {
      LOG.info("killing");
    }
    m.handle.kill();
  }

  void remove(Managed m) {
    if (!m.handle.onExit().isDone()) {
      throw ApiException.conflict(
          "agent '"
              + m.name
              + "' is still "
              + m.handle.status().name().toLowerCase(Locale.ROOT)
              + "; stop or kill it first");
    }
    runner.remove(m.id);
    agents.remove(m.id);
    spawnOrder.remove(m.id);
    m.log.end();
    change("removed", m);
  }

  void stdin(Managed m, byte[] data, boolean close) {
    try {
      if (data.length > 0) {
        m.handle.writeStdin(data);
      }
      if (close) {
        m.handle.closeStdin();
      }
    } catch (AgentException e) {
      throw ApiException.conflict("agent '" + m.name + "': " + e.getMessage());
    }
  }

  void message(Managed m, String text) {
    var session =
        m.handle
            .session()
            .orElseThrow(
                () ->
                    ApiException.conflict(
                        "agent '"
                            + m.name
                            + "' is not a multi-turn agent; start it with \"multiTurn\": true (claude, qwen), or write to its stdin"));
    try {
      session.send(text);
    } catch (AgentException | IllegalStateException e) {
      throw ApiException.conflict("agent '" + m.name + "': " + e.getMessage());
    }
  }

  /** The agent as the API shows it; never an environment value. */
  ObjectNode describe(Managed m) {
    AgentHandle h = m.handle;
    AgentInfo info = h.info();
    ObjectNode n = EventJson.MAPPER.createObjectNode();
    n.put("id", m.id.toString());
    n.put("name", m.name);
    n.put("backend", History.backendOf(m.config));
    if (m.model != null) {
      n.put("model", m.model);
    }
    if (m.fleet != null) {
      n.put("fleet", m.fleet.id);
    }
    n.put("status", info.status().name().toLowerCase(Locale.ROOT));
    n.put("pid", info.pid());
    n.put("started_at", info.startedAt().toString());
    info.endedAt().ifPresent(t -> n.put("ended_at", t.toString()));
    info.exitStatus()
        .ifPresent(
            x -> {
              x.code().ifPresent(c -> n.put("exit_code", c));
              x.signal().ifPresent(s -> n.put("exit_signal", s));
            });
    var mt = info.metrics();
    n.put("uptime_ms", mt.uptime().toMillis());
    n.put("stdin_lines", mt.stdinLines());
    n.put("stdout_lines", mt.stdoutLines());
    n.put("stderr_lines", mt.stderrLines());
    n.put("stdout_bytes", mt.stdoutBytes());
    n.put("stderr_bytes", mt.stderrBytes());
    mt.resources()
        .ifPresent(
            r -> {
              n.put("cpu_seconds", r.cpuTime().toNanos() / 1e9);
              n.put("rss_bytes", r.residentBytes());
              n.put("processes", r.processCount());
            });
    if (!Double.isNaN(m.costUsd)) {
      n.put("cost_usd", m.costUsd);
    }
    n.put("last_activity_at", m.lastActivity.toString());
    n.put("activity", activity(m, info));
    n.put("last_event_id", m.log.lastId());
    h.stdout().transcript().ifPresent(p -> n.put("transcript", p.toString()));
    (info.status().isTerminal()
            ? outcome(m, h, info.exitStatus().orElse(null))
            : Optional.<AgentOutcome>empty())
        .ifPresent(
            o -> {
              ObjectNode on = n.putObject("outcome");
              on.put("success", o.success());
              o.resultText().ifPresent(t -> on.put("result", t));
              o.errorMessage().ifPresent(t -> on.put("error", t));
              o.costUsd().ifPresent(c -> on.put("cost_usd", c));
              on.put("input_tokens", o.inputTokens());
              on.put("output_tokens", o.outputTokens());
              o.turns().ifPresent(t -> on.put("turns", t));
              o.sessionId().ifPresent(s -> on.put("session_id", s));
            });
    n.set("config", History.redacted(m.config));
    return n;
  }

  private static String activity(Managed m, AgentInfo info) {
    if (info.status().isTerminal()) {
      return "ended";
    }
    if (info.status() == AgentStatus.PAUSED) {
      return "paused";
    }
    if (m.handle.session().isPresent() && m.handle.session().get().currentTurn().isDone()) {
      return "waiting for input";
    }
    Instant last = m.lastActivity;
    return last != null && Duration.between(last, Instant.now()).toSeconds() < 5 ? "busy" : "idle";
  }

  /** The fleet agents waiting for a slot (maxConcurrency), as the API shows them. */
  ArrayNode describeWaiting() {
    ArrayNode a = EventJson.MAPPER.createArrayNode();
    fleets.removeIf(f -> f.waitingNow().isEmpty());
    for (FleetRun f : fleets) {
      for (AgentConfig c : f.waitingNow()) {
        ObjectNode n = a.addObject();
        n.put("name", c.name());
        n.put("backend", History.backendOf(c));
        c.model().ifPresent(x -> n.put("model", x));
        n.put("fleet", f.id);
        n.put("status", "waiting");
        n.put("activity", "waiting for a slot (maxConcurrency)");
      }
    }
    return a;
  }

  ArrayNode describeAll() {
    ArrayNode a = EventJson.MAPPER.createArrayNode();
    list().forEach(m -> a.add(describe(m)));
    return a;
  }

  private List<Metrics.Agent> metricAgents() {
    return list().stream()
        .map(
            m ->
                new Metrics.Agent(
                    m.name, m.id.toString(), History.backendOf(m.config), m.handle.info()))
        .toList();
  }

  // ---- crash recovery ----

  private void recoverLostRuns() {
    List<History.Orphan> orphans = history.alive();
    if (orphans.isEmpty()) {
      return;
    }
    Set<String> ids = new HashSet<>();
    orphans.forEach(o -> ids.add(o.id()));
    int killed = 0;
    for (int round = 0; round < 20; round++) {
      List<Long> pids = Survivors.of(ids);
      if (pids.isEmpty()) {
        break;
      }
      killed += Survivors.kill(pids);
      for (long pid : pids) {
        ProcessHandle.of(pid)
            .ifPresent(
                p -> {
                  try {
                    p.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (Exception e) {
                    // a zombie whose parent is gone is reaped by init
                  }
                });
      }
    }
    Instant now = Instant.now();
    for (History.Orphan o : orphans) {
      String reason =
          "the daemon (pid "
              + o.daemonPid()
              + ") ended while this run was alive, without recording its end"
              + " (crash or SIGKILL)"
              + (killed > 0
                  ? "; its leftover processes were killed when the daemon restarted"
                  : "; no process of it was left when the daemon restarted");
      history.markLost(o.id(), reason, now);
    }
    LOG.warn(
        "{} runs were alive when the previous daemon died; marked lost ({} leftover processes killed)",
        orphans.size(),
        killed);
  }

  /**
   * Puts the agent's id and name in the MDC, so that every log line about it carries them; close to
   * remove.
   */
  private static MdcScope mdcScope(Managed m) {
    MDC.put("agent_name", m.name);
    MDC.put("agent_id", m.id.toString());
    return () -> {
      MDC.remove("agent_name");
      MDC.remove("agent_id");
    };
  }

  /** An MDC scope whose close throws nothing. */
  private interface MdcScope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Stops every agent gracefully (each backend's stop sequence, then SIGKILL after the timeout).
   */
  @Override
  public void close() {
    closing = true;
    fleetStarters.forEach(Thread::interrupt);
    try {
      // each agent with its own stop (a fleet's stop: section), in parallel; then whatever is left
      List<Thread> stops = new ArrayList<>();
      for (Managed m : agents.values()) {
        if (m.fleet != null && !m.handle.onExit().isDone()) {
          stops.add(stop(m, null));
        }
      }
      for (Thread t : stops) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      runner.shutdown(settings.stopTimeout());
    } finally {
      runner.close();
      try {
        listener.close();
      } catch (Exception e) {
        // nothing to do
      }
      // wait (bounded) for the exits to be recorded
      for (Managed m : agents.values()) {
        try {
          m.handle
              .onExit()
              .get(
                  settings.stopTimeout().toMillis() + 2000,
                  java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          // recorded as lost at the next start
        }
      }
      changes.end();
    }
  }
}
