package dev.descartes.runner.internal.pool;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentPool;
import dev.descartes.runner.AgentRunner;
import dev.descartes.runner.PoolConfig;
import dev.descartes.runner.PooledAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AgentPool} on an {@link AgentRunner}. One lock guards the pool's state; agents start
 * and stop on virtual threads outside it, so a refill runs as many starts in parallel as leases
 * drained. One virtual thread checks idle agents every health-check interval. Thread-safe.
 */
public final class LocalAgentPool implements AgentPool {

  private static final Logger LOG = LoggerFactory.getLogger(LocalAgentPool.class);

  /**
   * After a start failed, no new start for this long (a broken config must not spawn in a loop).
   */
  private static final Duration START_FAILURE_PAUSE = Duration.ofSeconds(1);

  private static final String STARTER = "descartes-pool-start";

  private final AgentRunner runner;
  private final PoolConfig config;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Idle> ready = new ArrayDeque<>();
  private final Set<PoolLease> leased = new HashSet<>();
  private final Set<Thread> workers = new HashSet<>();
  private final AtomicLong serial = new AtomicLong();
  private int starting;
  private int waiters;
  private long started;
  private long replaced;
  private long leases;
  private boolean closed;
  private Instant lastStartFailure = Instant.MIN;
  private String lastFailure;
  private final Thread checker;

  /** An agent waiting for a lease, and since when. */
  private record Idle(AgentHandle handle, Instant since) {}

  public LocalAgentPool(AgentRunner runner, PoolConfig config) {
    this.runner = runner;
    this.config = config;
    lock.lock();
    try {
      refill();
    } finally {
      lock.unlock();
    }
    checker = Thread.ofVirtual().name("descartes-pool-check").start(this::checkLoop);
  }

  @Override
  public PoolConfig config() {
    return config;
  }

  @Override
  public PooledAgent lease() throws InterruptedException {
    return lease(config.leaseTimeout());
  }

  @Override
  public PooledAgent lease(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    waiters++;
    try {
      while (true) {
        ensureOpen();
        Idle idle;
        while ((idle = ready.pollFirst()) != null) {
          if (usable(idle.handle())) {
            PoolLease lease = new PoolLease(this, idle.handle());
            leased.add(lease);
            leases++;
            waiters--;
            refill();
            waiters++; // undone in finally
            return lease;
          }
          replace(idle.handle(), "it died or failed its health check while idle");
        }
        refill();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AgentException.LimitReached(
              config.maxAgents(),
              "no pooled agent became ready within "
                  + timeout
                  + " ("
                  + leased.size()
                  + " leased, "
                  + starting
                  + " starting, maxAgents "
                  + config.maxAgents()
                  + ")"
                  + (lastFailure != null ? "; the last start failed: " + lastFailure : "")
                  + "; release leased agents, raise maxAgents, or wait longer");
        }
        changed.awaitNanos(left);
      }
    } finally {
      waiters--;
      lock.unlock();
    }
  }

  @Override
  public void release(PooledAgent agent) {
    if (!(agent instanceof PoolLease lease) || !lease.markReleased()) {
      return;
    }
    AgentHandle h = lease.handle();
    lock.lock();
    try {
      if (!leased.remove(lease)) {
        return;
      }
      if (!closed
          && config.reuse()
          && h.status().isLive()
          && !lease.turnInProgress()
          && h.isStdinOpen()) {
        ready.addLast(new Idle(h, Instant.now()));
      } else {
        stopLater(h);
      }
      refill();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Stats stats() {
    lock.lock();
    try {
      return new Stats(ready.size(), starting, leased.size(), started, replaced, leases);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    List<AgentHandle> toStop = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      ready.forEach(i -> toStop.add(i.handle()));
      ready.clear();
      leased.forEach(l -> toStop.add(l.handle()));
      leased.clear();
      workers.stream()
          .filter(t -> t.getName().equals(STARTER))
          .forEach(Thread::interrupt); // they stop their agent
      toStop.forEach(this::stopLater);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    checker.interrupt();
    join(checker);
    while (true) {
      Thread t;
      lock.lock();
      try {
        Iterator<Thread> it = workers.iterator();
        if (!it.hasNext()) {
          return;
        }
        t = it.next();
      } finally {
        lock.unlock();
      }
      join(t);
      lock.lock();
      try {
        workers.remove(t);
      } finally {
        lock.unlock();
      }
    }
  }

  // ---- under the lock ----

  /**
   * Starts as many agents as the pool needs: minWarm ready, plus one per waiting lease, within
   * maxAgents.
   */
  private void refill() {
    if (closed
        || Duration.between(lastStartFailure, Instant.now()).compareTo(START_FAILURE_PAUSE) < 0) {
      return;
    }
    int total = ready.size() + starting + leased.size();
    int want = config.minWarm() + waiters - ready.size() - starting;
    int room = config.maxAgents() - total;
    for (int i = 0; i < Math.min(want, room); i++) {
      starting++;
      worker(STARTER, this::startOne);
    }
  }

  private boolean usable(AgentHandle h) {
    if (!h.status().isLive() || !h.isStdinOpen()) {
      return false;
    }
    try {
      return config.healthCheck().map(c -> c.test(h)).orElse(true);
    } catch (Throwable e) {
      LOG.warn(
          "pool health check of agent {} threw; replacing the agent: {}", h.id(), e.toString());
      return false;
    }
  }

  private void replace(AgentHandle h, String why) {
    replaced++;
    LOG.debug("pooled agent {} replaced: {}", h.id(), why);
    stopLater(h);
  }

  private void stopLater(AgentHandle h) {
    worker("descartes-pool-stop", () -> stop(h));
  }

  private void worker(String name, Runnable task) {
    Thread t =
        Thread.ofVirtual()
            .name(name)
            .unstarted(
                () -> {
                  try {
                    task.run();
                  } finally {
                    lock.lock();
                    try {
                      workers.remove(Thread.currentThread());
                    } finally {
                      lock.unlock();
                    }
                  }
                });
    workers.add(t);
    t.start();
  }

  private void ensureOpen() {
    if (closed) {
      throw new AgentException.Execution("this agent pool is closed; create a new one");
    }
  }

  // ---- on worker threads ----

  private void startOne() {
    AgentConfig cfg =
        config.agent().toBuilder()
            .name(config.agent().name() + "-" + serial.incrementAndGet())
            .build();
    AgentHandle h = null;
    try {
      h = runner.spawn(cfg);
      lock.lock();
      try {
        started++;
      } finally {
        lock.unlock();
      }
      Readiness.await(h, cfg, config.readyTimeout());
    } catch (Throwable e) { // an Error too: else this start would count for ever
      lock.lock();
      try {
        starting--;
        if (!closed) {
          lastStartFailure = Instant.now();
          lastFailure =
              switch (e) {
                case InterruptedException _ -> "interrupted";
                case RuntimeException r -> r.getMessage();
                default -> e.toString();
              };
          LOG.warn("a pooled agent did not start: {}", lastFailure);
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (h != null) {
        stop(h);
      }
      return;
    }
    AgentHandle ok = h;
    lock.lock();
    try {
      starting--;
      if (closed) {
        stopLater(ok);
        return;
      }
      lastFailure = null;
      ready.addLast(new Idle(ok, Instant.now()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    ok.onExit().thenRun(() -> diedIdle(ok));
  }

  /** An agent ended: if it was waiting for a lease, it is replaced at once. */
  private void diedIdle(AgentHandle h) {
    lock.lock();
    try {
      if (ready.removeIf(i -> i.handle() == h)) {
        replace(h, "it ended while idle (" + h.status() + ")");
        refill();
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends an agent: its session or stdin closed first, so it can finish, then its stop sequence;
   * then forgotten.
   */
  private void stop(AgentHandle h) {
    try {
      if (h.status().isLive()) {
        h.session().ifPresentOrElse(s -> s.end(), h::closeStdin);
        if (h.waitFor(config.stopTimeout()).isEmpty()) {
          h.stop(config.stopTimeout());
        }
      }
      h.waitFor();
      runner.remove(h.id());
    } catch (InterruptedException e) {
      h.kill();
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("stopping pooled agent {}: {}", h.id(), e.toString());
    }
  }

  /**
   * Every health-check interval: replaces idle agents that died or fail the check, stops spare ones
   * idle too long.
   */
  private void checkLoop() {
    lock.lock();
    try {
      while (!closed) {
        changed.await(config.healthCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (closed) {
          return;
        }
        Instant now = Instant.now();
        Iterator<Idle> it = ready.iterator();
        while (it.hasNext()) {
          Idle i = it.next();
          if (!usable(i.handle())) {
            it.remove();
            replace(i.handle(), "it died or failed its health check while idle");
          } else if (ready.size() > config.minWarm()
              && Duration.between(i.since(), now).compareTo(config.idleTimeout()) >= 0) {
            it.remove();
            stopLater(i.handle());
          }
        }
        refill();
      }
    } catch (InterruptedException e) {
      // closed
    } finally {
      lock.unlock();
    }
  }

  private static void join(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
