package dev.descartes.runner.internal.engine;

import dev.descartes.runner.internal.os.Epoll;
import dev.descartes.runner.internal.os.FileDescriptor;
import dev.descartes.runner.internal.os.Libc;
import dev.descartes.runner.internal.os.Pipes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native engine's one thread: an {@code epoll} loop over every agent's stdout, stderr, stdin
 * (while a write waits for room) and pidfd, plus an {@code eventfd} that other threads use to hand
 * it tasks.
 *
 * <p>Every registration carries a token that is never reused, so an event that was already
 * collected for a descriptor closed in the same round never reaches the handler of a later
 * descriptor with the same number; and other threads touch the epoll and eventfd descriptors only
 * under a read lock that the loop's final close excludes, so a number the kernel hands out again is
 * never written to. Handlers run on the loop thread and never block: all I/O is non-blocking and
 * the bytes read are handed to the {@link DeliveryPool}, whose stalls the loop watches. {@link
 * #register}, {@link #unregister} and {@link #execute} may be called from any thread.
 */
final class EventLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
  private static final int MAX_EVENTS = 256;
  private static final long LOOP_STACK = 1024 * 1024; // room for inline delivery (OutputChannel)

  /**
   * An eventfd's increment of one, as {@code write(2)} takes it (host byte order: little-endian).
   */
  private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};

  /** Reacts to readiness; runs on the loop thread. */
  interface Handler {
    void ready(int events);
  }

  private final Epoll epoll;
  private final FileDescriptor wakeFd;
  private final long wakeToken;
  private final ConcurrentHashMap<Long, Handler> handlers = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakePending = new AtomicBoolean();

  /**
   * Other threads use the epoll and eventfd descriptors under the read lock; the loop closes them
   * under the write lock.
   */
  private final ReentrantReadWriteLock descriptors = new ReentrantReadWriteLock();

  private final Thread thread;
  private final DeliveryPool delivery;
  private volatile boolean closing;
  private volatile boolean terminated;

  // owned by the loop thread
  private MemorySegment capture;
  private final byte[] wakeCount = new byte[8];

  /**
   * @param delivery checked after every round, and every 50 ms while it has a backlog
   */
  EventLoop(String name, DeliveryPool delivery) throws IOException {
    this.delivery = delivery;
    epoll = Epoll.create();
    try {
      wakeFd = Pipes.eventFd();
    } catch (IOException e) {
      epoll.close();
      throw e;
    }
    wakeToken = tokens.incrementAndGet();
    try {
      epoll.add(wakeFd, Epoll.IN, wakeToken);
    } catch (IOException e) {
      wakeFd.close();
      epoll.close();
      throw e;
    }
    thread = Thread.ofPlatform().name(name).daemon(true).stackSize(LOOP_STACK).unstarted(this::run);
    thread.start();
  }

  /** Registers {@code fd} for {@code events}; returns the token to unregister it with. */
  long register(FileDescriptor fd, int events, Handler handler) throws IOException {
    long token = nextToken();
    register(fd, events, handler, token);
    return token;
  }

  /** A token for {@link #register(FileDescriptor, int, Handler, long)}, never handed out before. */
  long nextToken() {
    return tokens.incrementAndGet();
  }

  /**
   * Registers {@code fd} with a token from {@link #nextToken()}: for a handler that must know its
   * token before its first event. What the caller wrote before this call is visible to the handler.
   */
  void register(FileDescriptor fd, int events, Handler handler, long token) throws IOException {
    descriptors.readLock().lock();
    try {
      if (terminated) {
        throw new IOException("the native engine's event loop has stopped");
      }
      handlers.put(token, handler);
      try {
        epoll.add(fd, events, token);
      } catch (IOException e) {
        handlers.remove(token);
        throw e;
      }
    } finally {
      descriptors.readLock().unlock();
    }
  }

  /**
   * Changes the events of {@code fd}, registered with {@code token}: re-arms an {@link
   * Epoll#ONESHOT} watch. From any thread; quiet once the loop has terminated.
   */
  void rearm(FileDescriptor fd, int events, long token) throws IOException {
    descriptors.readLock().lock();
    try {
      if (!terminated) {
        epoll.modify(fd, events, token);
      }
    } finally {
      descriptors.readLock().unlock();
    }
  }

  /** Forgets {@code fd}; the caller closes it afterwards. */
  void unregister(FileDescriptor fd, long token) {
    descriptors.readLock().lock();
    try {
      handlers.remove(token);
      if (!terminated) {
        epoll.remove(fd);
      }
    } finally {
      descriptors.readLock().unlock();
    }
  }

  /** Runs {@code task} on the loop thread, soon. Ignored once the loop has terminated. */
  void execute(Runnable task) {
    if (terminated) {
      return;
    }
    tasks.add(task);
    if (Thread.currentThread() != thread && wakePending.compareAndSet(false, true)) {
      wake();
    }
  }

  /**
   * Whether the caller is the loop thread: methods meant for the loop thread only assert it, as
   * Netty's event loops do.
   */
  boolean inEventLoop() {
    return Thread.currentThread() == thread;
  }

  /** The loop's errno capture segment; loop thread only. */
  MemorySegment capture() {
    assert inEventLoop();
    return capture;
  }

  private void wake() {
    descriptors.readLock().lock();
    try (Arena arena = Arena.ofConfined()) {
      if (terminated) {
        return; // wakeFd is closed: its number may belong to another file by now
      }
      Pipes.write(Libc.newCapture(arena), wakeFd.intValue(), ONE, 0, ONE.length);
    } finally {
      descriptors.readLock().unlock();
    }
  }

  private void run() {
    try (Arena arena = Arena.ofConfined()) {
      capture = Libc.newCapture(arena);
      MemorySegment events = Epoll.events(arena, MAX_EVENTS);
      while (!(closing && handlers.isEmpty())) {
        int timeout = delivery.backlogged() ? (int) (DeliveryPool.STALL_NANOS / 1_000_000) : -1;
        int n = epoll.await(capture, events, timeout);
        for (int i = 0; i < n; i++) {
          long token = Epoll.eventToken(events, i);
          if (token == wakeToken) {
            wakePending.set(false);
            Pipes.read(capture, wakeFd.intValue(), wakeCount, 0, wakeCount.length);
            continue;
          }
          Handler h = handlers.get(token);
          if (h != null) {
            dispatch(h, Epoll.eventMask(events, i));
          }
        }
        runTasks();
        delivery.compensate();
      }
    } catch (IOException | RuntimeException | Error e) {
      LOG.error(
          "the native engine's event loop failed; agents of this runner no longer get output or"
              + " exit notifications",
          e);
    } finally {
      descriptors.writeLock().lock();
      try {
        terminated = true;
        wakeFd.close();
        epoll.close();
      } finally {
        descriptors.writeLock().unlock();
      }
    }
  }

  private void dispatch(Handler h, int mask) {
    try {
      h.ready(mask);
    } catch (RuntimeException e) {
      LOG.warn("event handler failed: {}", e.toString(), e);
    }
  }

  private void runTasks() {
    Runnable t;
    while ((t = tasks.poll()) != null) {
      try {
        t.run();
      } catch (RuntimeException e) {
        LOG.warn("event-loop task failed: {}", e.toString(), e);
      }
    }
  }

  /**
   * Stops once every registration is gone (the engine first abandons output and closes stdin, so
   * what remains are pidfds of children not reaped yet), waiting up to {@code timeoutMillis}.
   *
   * @return whether the loop thread has ended
   */
  boolean closeAndAwait(long timeoutMillis) {
    closing = true;
    execute(() -> {});
    try {
      return thread.join(java.time.Duration.ofMillis(timeoutMillis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    closeAndAwait(TimeUnit.SECONDS.toMillis(5));
  }
}
