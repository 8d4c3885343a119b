package dev.descartes.bench.worker;

import static dev.descartes.bench.worker.Metrics.millis;
import static dev.descartes.bench.worker.Metrics.percentile;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentPool;
import dev.descartes.runner.AgentSession;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.PoolConfig;
import dev.descartes.runner.PooledAgent;
import dev.descartes.runner.testing.fakemodel.FakeModelServer;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Scenario 6 in a worker: time to the first event of the real claude CLI, run by the runner against
 * the fake Anthropic model server of the backend tests (no network, no API key). {@code mode=cold}
 * spawns {@code claude -p} once per turn and times from the spawn call; {@code mode=warm} starts
 * one {@code --input-format stream-json} session, sends one warm-up message, then times each turn
 * from the moment its message is sent. The first event is the first line the CLI writes (its init
 * line in cold mode); the result event is its final {@code result} line.
 */
final class ClaudeFirstEvent {

  private static final Duration TURN_LIMIT = Duration.ofMinutes(3);

  private final WorkArgs args;
  private final RunnerWorkloads workloads;
  private final ConcurrentHashMap<AgentId, Long> firstEvent = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<AgentId, Long> resultEvent = new ConcurrentHashMap<>();

  ClaudeFirstEvent(WorkArgs args, RunnerWorkloads workloads) {
    this.args = args;
    this.workloads = workloads;
  }

  Metrics run() throws Exception {
    String claude = args.get("claude", "");
    if (claude.isEmpty()) {
      throw new Workloads.Skipped("the claude CLI is not installed");
    }
    int turns = args.intValue("turns");
    Path home = Files.createTempDirectory("bench-claude-home");
    Path work = Files.createTempDirectory("bench-claude-work");
    try (FakeModelServer model = FakeModelServer.start(Reply.text("Hello from the fake model."));
        LocalProcessRunner r = workloads.runner(b -> {})) {
      r.onEvent(
          e -> {
            long now = System.nanoTime();
            switch (e) {
              case AgentEvent.Started s -> {}
              case AgentEvent.Exited x -> {}
              case AgentEvent.Result res -> {
                firstEvent.putIfAbsent(e.agentId(), now);
                resultEvent.putIfAbsent(e.agentId(), now);
              }
              default -> firstEvent.putIfAbsent(e.agentId(), now);
            }
          });
      AgentConfig.Builder cfg = config(Path.of(claude), home, work, model);
      String mode = args.get("mode");
      Metrics extra = new Metrics();
      double[][] samples =
          switch (mode) {
            case "warm" -> warm(r, cfg, turns);
            case "pool" -> pool(r, cfg, turns, extra);
            default -> cold(r, cfg, turns);
          };
      Metrics m =
          new Metrics()
              .put("first_event_p50_ms", percentile(samples[0], 50))
              .put("first_event_max_ms", percentile(samples[0], 100))
              .put("result_p50_ms", percentile(samples[1], 50))
              .put("result_max_ms", percentile(samples[1], 100));
      extra.values().forEach(m::put);
      return m;
    } finally {
      deleteTree(home);
      deleteTree(work);
    }
  }

  /**
   * The claude backend pointed at the fake server, with a private HOME, as the CLI tests set it up.
   */
  private static AgentConfig.Builder config(
      Path claude, Path home, Path work, FakeModelServer model) {
    return AgentConfig.builder()
        .name("claude-bench")
        .modelBackend("claude")
        .workingDir(work)
        .env("PATH", claude.getParent() + ":" + System.getenv("PATH"))
        .env("HOME", home.toString())
        .env("TMPDIR", home.toString()) // claude's claude-<uid>/ goes with HOME, deleted after
        .env("XDG_CONFIG_HOME", home.resolve(".config").toString())
        .env("XDG_CACHE_HOME", home.resolve(".cache").toString())
        .env("ANTHROPIC_BASE_URL", model.baseUrl().toString())
        .env("ANTHROPIC_API_KEY", "fake-key")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("IS_SANDBOX", "1");
  }

  /** A fresh {@code claude -p} per turn: from the spawn call to its first and its result event. */
  private double[][] cold(LocalProcessRunner r, AgentConfig.Builder cfg, int turns)
      throws Exception {
    double[][] s = new double[2][turns];
    for (int i = -1; i < turns; i++) { // turn -1 warms the CLI's caches (node compile cache, HOME)
      long t0 = System.nanoTime();
      AgentHandle h = r.spawn(cfg.task("Say hello (turn " + i + ").").build());
      h.waitFor(TURN_LIMIT)
          .orElseThrow(
              () -> new IllegalStateException("claude did not finish a turn in " + TURN_LIMIT));
      requireResult(h);
      if (i >= 0) {
        s[0][i] = millis(firstEvent.get(h.id()) - t0);
        s[1][i] = millis(resultEvent.get(h.id()) - t0);
      }
      r.remove(h.id());
    }
    return s;
  }

  /** One stream-json session: from each message's send to the turn's first and result event. */
  private double[][] warm(LocalProcessRunner r, AgentConfig.Builder cfg, int turns)
      throws Exception {
    double[][] s = new double[2][turns];
    AgentHandle h = r.spawn(cfg.task("").multiTurn(true).build());
    AgentSession session =
        h.session().orElseThrow(() -> new IllegalStateException("claude has no session"));
    session.send("Warm up.").get(TURN_LIMIT.toSeconds(), TimeUnit.SECONDS);
    TurnClock clock = new TurnClock();
    try (AutoCloseable _ = h.onEvent(clock)) {
      for (int i = 0; i < turns; i++) {
        long t0 = clock.begin();
        AgentEvent.Result res =
            session
                .send("Say hello (turn " + i + ").")
                .get(TURN_LIMIT.toSeconds(), TimeUnit.SECONDS);
        long done = System.nanoTime();
        if (!res.success()) {
          throw new IllegalStateException("turn " + i + " failed: " + res.text());
        }
        s[0][i] = millis(clock.first() - t0);
        s[1][i] = millis(done - t0);
      }
    }
    session.end();
    if (h.waitFor(Duration.ofSeconds(30)).isEmpty()) {
      h.kill();
      h.waitFor();
    }
    return s;
  }

  /**
   * An {@link AgentPool} of stream-json sessions under a steady load: one lease started every
   * {@code interval_ms} (each on its own thread, whatever the others do), each timed from the
   * {@code lease()} call (plus its first message) to the turn's first and result event, then
   * released (ended; a fresh session replaces it in the background). With {@code warmup=TEXT} each
   * pooled session answers that message before it counts as ready. Also reports how long each lease
   * waited, the fewest ready sessions seen at a lease, and the refill rate (sessions started per
   * second while leases drained the pool).
   */
  private double[][] pool(LocalProcessRunner r, AgentConfig.Builder cfg, int turns, Metrics extra)
      throws Exception {
    int warm = args.intValue("warm");
    long interval = args.intValue("interval_ms");
    String warmUp = args.get("warmup", "");
    double[][] s = new double[2][turns];
    double[] waits = new double[turns];
    AtomicInteger fewestReady = new AtomicInteger(Integer.MAX_VALUE);
    PoolConfig pc =
        PoolConfig.builder(cfg.task(warmUp).multiTurn(true).build())
            .minWarm(warm)
            .maxAgents(warm * 2)
            .readyTimeout(TURN_LIMIT)
            .leaseTimeout(TURN_LIMIT)
            .stopTimeout(Duration.ofSeconds(10))
            .build();
    try (AgentPool pool = AgentPool.create(r, pc)) {
      long until = System.nanoTime() + TURN_LIMIT.toNanos();
      while (pool.stats().ready() < warm && System.nanoTime() < until) {
        Thread.sleep(50); // the pool fills before the load starts; not a measured wait
      }
      long startedBefore = pool.stats().started();
      long loadStart = System.nanoTime();
      List<Future<?>> leases = new ArrayList<>();
      try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < turns; i++) {
          long pause = loadStart + i * interval * 1_000_000L - System.nanoTime();
          if (pause > 0) {
            Thread.sleep(pause / 1_000_000L, (int) (pause % 1_000_000L)); // the load's pace
          }
          int n = i;
          leases.add(
              exec.submit(
                  () -> {
                    fewestReady.accumulateAndGet(pool.stats().ready(), Math::min);
                    TurnClock clock = new TurnClock();
                    long t0 = clock.begin();
                    try (PooledAgent a = pool.lease();
                        AutoCloseable _ = a.handle().onEvent(clock)) {
                      waits[n] = millis(System.nanoTime() - t0);
                      AgentEvent.Result res =
                          a.send("Say hello (lease " + n + ").")
                              .get(TURN_LIMIT.toSeconds(), TimeUnit.SECONDS);
                      long done = System.nanoTime();
                      if (!res.success()) {
                        throw new IllegalStateException("lease " + n + " failed: " + res.text());
                      }
                      s[0][n] = millis(clock.first() - t0);
                      s[1][n] = millis(done - t0);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : leases) {
          f.get();
        }
      }
      double seconds = (System.nanoTime() - loadStart) / 1e9;
      extra
          .put("lease_wait_p50_ms", percentile(waits, 50))
          .put("fewest_ready", fewestReady.get())
          .put("refill_per_s", (pool.stats().started() - startedBefore) / seconds)
          .put("leases_per_s", turns / seconds);
    }
    return s;
  }

  private void requireResult(AgentHandle h) {
    if (!firstEvent.containsKey(h.id()) || !resultEvent.containsKey(h.id())) {
      throw new IllegalStateException(
          "claude ended ("
              + h.info().exitStatus().map(Object::toString).orElse("?")
              + ") without a result event");
    }
  }

  /** The time of the first event after {@link #begin()}, per turn of one session. */
  private static final class TurnClock implements java.util.function.Consumer<AgentEvent> {
    private volatile long first;

    long begin() {
      first = 0;
      return System.nanoTime();
    }

    long first() {
      return first;
    }

    @Override
    public void accept(AgentEvent e) {
      if (first == 0 && !(e instanceof AgentEvent.Started) && !(e instanceof AgentEvent.Exited)) {
        first = System.nanoTime();
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
