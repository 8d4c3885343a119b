package dev.descartes.runner.internal.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform threads that hand the native engine's output to its consumers, off the event loop.
 *
 * <p>{@link #CORE} threads always, for every agent. A consumer may block (a listener waiting on a
 * lock or a queue): when every thread has been blocked inside one task for more than {@link
 * #STALL_NANOS} while work waits, {@link #compensate()} (called by the event loop) adds one thread,
 * up to {@link #MAX}; extra threads end after {@link #IDLE_SECONDS} without work. So blocked
 * consumers cost one thread each while they block, and never hold up other agents' output.
 *
 * <p>Why platform threads and not virtual ones: the runner itself runs CPU-heavy work on virtual
 * threads (reading {@code /proc} to stop or reap a process tree, for hundreds of agents at once at
 * shutdown), and a virtual thread is not preempted: output delivery queued behind that work waited
 * seconds in measurements, and the last lines of stopping agents came too late. Platform threads
 * are scheduled by the kernel next to everything else. Thread-safe.
 */
final class DeliveryPool implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryPool.class);
  static final int CORE = Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
  static final int MAX = 256;
  static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long IDLE_SECONDS = 10;
  private static final Runnable STOP = () -> {};

  private final String name;
  private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private final ConcurrentHashMap<Worker, Boolean> workers = new ConcurrentHashMap<>();
  private final AtomicInteger serial = new AtomicInteger();
  private volatile boolean closed;

  /** One thread; {@code since} is when its current task started, 0 while idle. */
  private final class Worker implements Runnable {
    final boolean core;
    volatile long since;
    volatile Thread thread;

    Worker(boolean core) {
      this.core = core;
    }

    @Override
    public void run() {
      thread = Thread.currentThread();
      try {
        while (true) {
          Runnable task = core ? queue.take() : queue.poll(IDLE_SECONDS, TimeUnit.SECONDS);
          if (task == null || task == STOP) {
            return; // an extra thread that stayed idle, or the pool is closing
          }
          since = System.nanoTime() | 1;
          try {
            task.run();
          } catch (RuntimeException | Error e) {
            LOG.warn("output delivery task failed: {}", e.toString(), e);
          } finally {
            since = 0;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        workers.remove(this);
      }
    }
  }

  DeliveryPool(String name) {
    this.name = name;
    for (int i = 0; i < CORE; i++) {
      add(true);
    }
  }

  private void add(boolean core) {
    Worker w = new Worker(core);
    workers.put(w, Boolean.TRUE);
    Thread.ofPlatform().name(name + "-" + serial.incrementAndGet()).daemon(true).start(w);
  }

  /** Runs {@code task} on a pool thread, in submission order with respect to other tasks. */
  void execute(Runnable task) {
    queue.add(task);
  }

  /** Whether tasks wait for a thread (the loop then calls {@link #compensate()} again soon). */
  boolean backlogged() {
    return !queue.isEmpty();
  }

  /**
   * Adds a thread if work waits and every thread is blocked (parked, waiting or on a monitor) in a
   * task that started more than {@link #STALL_NANOS} ago. A thread that is merely slow because the
   * machine is busy is still {@code RUNNABLE} and does not count: more threads would not help then.
   */
  void compensate() {
    if (closed || queue.isEmpty() || workers.size() >= MAX) {
      return;
    }
    long now = System.nanoTime();
    for (Worker w : workers.keySet()) {
      long since = w.since;
      Thread t = w.thread;
      if (since == 0
          || now - since < STALL_NANOS
          || t == null
          || t.getState() == Thread.State.RUNNABLE) {
        return; // a thread is free, will be soon, or is working rather than blocked
      }
    }
    LOG.debug(
        "every output thread is held by a slow consumer; adding one ({} now)", workers.size() + 1);
    add(false);
  }

  /** Lets queued work finish, then ends the threads. */
  @Override
  public void close() {
    closed = true;
    for (int i = 0; i < workers.size(); i++) {
      queue.add(STOP);
    }
  }
}
