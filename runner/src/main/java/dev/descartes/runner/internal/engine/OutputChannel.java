package dev.descartes.runner.internal.engine;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.descartes.runner.internal.os.Epoll;
import dev.descartes.runner.internal.os.FileDescriptor;
import dev.descartes.runner.internal.os.Pipes;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One output pipe of one agent: read by the event loop, delivered to its {@link OutputSink} off the
 * loop.
 *
 * <p>The loop reads at most {@link EventLoop#BUFFER_SIZE} bytes per readiness (level-triggered, so
 * a chatty agent gets one read per round, like every other) and queues a copy. The {@link
 * DeliveryPool} drains the queue into the sink, one drain at a time per stream, so the sink sees
 * the bytes in order from one thread at a time; a drain takes a bounded batch and then lets other
 * streams have a turn. A sink that blocks holds one pool thread, and the pool adds a thread for the
 * others. When more than {@link #highWater()} bytes wait for the sink, the loop stops watching this
 * pipe until the sink has caught up to a quarter of it: the agent then blocks in {@code write} on
 * its full pipe, and memory stays bounded at about {@code highWater() + 64 KiB} per stream. The
 * high water mark is {@link #HIGH_WATER} at most, less when many streams share {@link #IN_FLIGHT}
 * (an eighth of the heap), but never below {@link #LOW_WATER}.
 *
 * <p>A sink that is {@link OutputSink#full() full} (an every-line reader is behind) stops the
 * drain: what was read stays queued, the queue passes the high water mark and the pipe is
 * unwatched, until the sink calls back from {@link OutputSink#whenRoom}. Thread-safe.
 */
final class OutputChannel implements EventLoop.Handler, Channel {

  private static final Logger LOG = LoggerFactory.getLogger(OutputChannel.class);
  static final long HIGH_WATER = 256 * 1024;
  static final long LOW_WATER = 64 * 1024;
  static final long IN_FLIGHT = Runtime.getRuntime().maxMemory() / 8;
  private static final int BATCH = 16;
  private static final byte[] END = new byte[0];

  private final EventLoop loop;
  private final DeliveryPool delivery;
  private final FileDescriptor fd;
  private final OutputSink sink;
  private final java.util.Set<Channel> open;

  // the loop thread's, once beginReading() has handed the channel over
  private boolean reading = true;
  private boolean registered;
  private long token;

  private volatile boolean delivering;

  private volatile boolean paused;
  private final AtomicBoolean resumeAsked = new AtomicBoolean();
  private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean draining = new AtomicBoolean();

  /**
   * @param open the engine's open channels: this one is in it until its pipe is closed
   */
  OutputChannel(
      EventLoop loop,
      DeliveryPool delivery,
      FileDescriptor fd,
      OutputSink sink,
      java.util.Set<Channel> open) {
    this.loop = loop;
    this.delivery = delivery;
    this.fd = fd;
    this.sink = sink;
    this.open = open;
    open.add(this);
  }

  /**
   * Starts reading into the queue at once, from the spawning thread, before the runner is ready for
   * the bytes: the first line waits in memory rather than in the pipe, and is delivered as soon as
   * {@link #startDelivery()} is called.
   */
  void beginReading() throws IOException {
    long t = loop.nextToken();
    token = t;
    registered = true;
    loop.register(fd, Epoll.IN, this, t);
  }

  /** Starts handing what is read (and what was read already) to the sink. */
  void startDelivery() {
    delivering = true;
    if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
      delivery.execute(this::drain);
    }
  }

  /**
   * Stops reading and closes the pipe; the sink then sees its end (even before {@link
   * #startDelivery()}).
   */
  void abandon() {
    loop.execute(
        () -> {
          finish();
          startDelivery();
        });
  }

  @Override
  public void release() {
    abandon();
  }

  /** Bytes read but not yet taken by the sink. */
  long queuedBytes() {
    return queued.get();
  }

  @Override
  public void ready(int events) {
    assert loop.inEventLoop();
    if (!reading) {
      return;
    }
    long n = Pipes.read(loop.capture(), fd.intValue(), loop.buffer(), EventLoop.BUFFER_SIZE);
    if (n > 0) {
      offer(loop.buffer().asSlice(0, n).toArray(JAVA_BYTE));
      if (queued.get() > highWater()) {
        pause();
      }
    } else if (n != -Pipes.EAGAIN) {
      finish(); // end of file, or the pipe failed: either way this stream is over
    }
  }

  /**
   * Stops watching the pipe. It is unregistered rather than given an empty interest set: epoll
   * reports {@code EPOLLHUP} whatever the interest, and a level-triggered hang-up would spin.
   */
  private void pause() {
    assert loop.inEventLoop();
    loop.unregister(fd, token);
    registered = false;
    paused = true;
    if (queued.get() <= highWater() / 4) { // the sink caught up before it could see the flag
      resume();
    }
  }

  private void resume() {
    assert loop.inEventLoop();
    resumeAsked.set(false);
    if (reading && paused) {
      paused = false;
      watch();
    }
  }

  private void watch() {
    try {
      token = loop.register(fd, Epoll.IN, this);
      registered = true;
    } catch (IOException e) {
      LOG.warn("cannot watch an output pipe: {}", e.getMessage());
      finish();
    }
  }

  private void finish() {
    assert loop.inEventLoop();
    if (!reading) {
      return;
    }
    reading = false;
    if (registered) {
      loop.unregister(fd, token);
      registered = false;
    }
    fd.close();
    open.remove(this);
    offer(END);
  }

  private void offer(byte[] chunk) {
    queue.add(chunk);
    queued.addAndGet(chunk.length);
    if (delivering && draining.compareAndSet(false, true)) {
      delivery.execute(this::drain);
    }
  }

  /**
   * Hands up to {@link #BATCH} chunks to the sink, then goes to the back of the pool's queue if
   * more wait, so that one chatty agent takes turns with the others. At most one drain per stream
   * runs at a time ({@link #draining}), so the sink sees one thread at a time, in order.
   */
  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      byte[] chunk = queue.poll();
      if (chunk == null) {
        draining.set(false);
        if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      if (chunk == END) {
        deliverEnd();
        continue;
      }
      boolean full;
      try {
        sink.data(chunk, 0, chunk.length);
        full = sink.full();
      } catch (RuntimeException e) {
        LOG.warn("an output consumer failed: {}; delivery goes on", e.toString(), e);
        full = false;
      }
      long left = queued.addAndGet(-chunk.length);
      if (paused && left <= highWater() / 4 && resumeAsked.compareAndSet(false, true)) {
        loop.execute(this::resume);
      }
      if (full) {
        // still "draining": nobody else starts a drain until the sink makes room and resumes this
        // one
        sink.whenRoom(() -> delivery.execute(this::drain));
        return;
      }
    }
    delivery.execute(this::drain); // still draining: more may wait
  }

  /** The queue's high water mark now: the in-flight allowance shared by every open stream. */
  private long highWater() {
    return Math.clamp(IN_FLIGHT / Math.max(1, open.size()), LOW_WATER, HIGH_WATER);
  }

  private void deliverEnd() {
    try {
      sink.end();
    } catch (RuntimeException e) {
      LOG.warn("an output consumer failed at end of stream: {}", e.toString(), e);
    }
  }
}
