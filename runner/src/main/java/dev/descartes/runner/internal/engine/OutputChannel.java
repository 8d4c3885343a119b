package dev.descartes.runner.internal.engine;

import dev.descartes.runner.internal.os.Epoll;
import dev.descartes.runner.internal.os.FileDescriptor;
import dev.descartes.runner.internal.os.Libc;
import dev.descartes.runner.internal.os.Pipes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One output pipe of one agent. The event loop only watches it ({@code EPOLLONESHOT}); whoever then
 * runs the channel reads the pipe straight into memory the {@link OutputSink} lends ({@link
 * OutputSink#lend}), or else into its own reusable buffer, and hands the bytes to the sink, with no
 * copy and no queue in between, and re-arms the watch when the pipe is empty.
 *
 * <p>Who runs it: one thread at a time ({@link #busy}), so the sink sees the bytes in order from
 * one thread at a time. Usually a {@link DeliveryPool} thread, which reads up to {@link
 * #TURN_BYTES} per turn in reads of up to {@link #MAX_READ} into its own buffer (or up to the end
 * of what the sink lends) and then lets other streams have a turn. When the sink {@link
 * OutputSink#neverBlocks() never blocks} (no listener of the user's runs on this thread), the loop
 * thread itself reads and delivers one read of up to {@link #FIRST_READ} bytes: a line an agent
 * answers with reaches its reader with one thread switch less. A read that fills that much hands
 * the rest of the turn to the pool.
 *
 * <p>Backpressure: when the sink is {@link OutputSink#full() full} the channel stops reading and
 * leaves the pipe unwatched until the sink calls back from {@link OutputSink#whenRoom}; the agent
 * then blocks in {@code write} on its full pipe. Nothing is buffered between the pipe and the sink,
 * so memory per stream is the pipe's own buffer; per delivery thread one read buffer, for the reads
 * the sink lends no memory for.
 *
 * <p>The pipe starts at the kernel's default size (64 KiB). The first read that finds it full
 * enlarges it to {@link #BIG_PIPE} ({@code F_SETPIPE_SZ}, at most what {@code pipe-max-size}
 * allows), for at most {@link #MAX_BIG_PIPES} streams at a time: unprivileged users have a quota of
 * pipe memory ({@code pipe-user-pages-soft}, 64 MiB), and past it every new pipe of the user gets
 * two pages. Thread-safe.
 */
final class OutputChannel implements EventLoop.Handler, Channel {

  private static final Logger LOG = LoggerFactory.getLogger(OutputChannel.class);

  /**
   * The largest read of a delivery thread into its own buffer. Not the pipe's 1 MiB: the framer
   * then walks bytes the read has just put in the core's cache, and the line copies stay there for
   * the window and the listeners; 1 GiB of 200-byte lines went through about a quarter faster than
   * with 1 MiB reads (alternated, 4 runs each; 32 to 256 KiB were level within the noise).
   */
  static final int MAX_READ = 128 * 1024;

  /** A delivery thread's first buffer; it grows to {@link #MAX_READ} when a read fills it. */
  private static final int FIRST_READ = 64 * 1024;

  /** Bytes one turn reads before it lets other streams' turns go first. */
  static final long TURN_BYTES = 4L << 20;

  static final int BIG_PIPE = 1 << 20;
  static final int MAX_BIG_PIPES = 16;
  private static final int DEFAULT_PIPE = 64 * 1024;
  private static final AtomicInteger BIG_PIPES = new AtomicInteger();

  /**
   * A read this large means the agent writes faster than one wake-up per read: its next bytes are
   * awaited on the delivery thread ({@link #HOT_WAIT_MILLIS} at most) rather than through the loop.
   */
  static final int HOT_READ = 16 * 1024;

  static final int HOT_WAIT_MILLIS = 1;

  /**
   * How long one turn may wait for a streaming agent's next bytes in all; a turn that starts within
   * this long after the last one ended finds a streaming agent too.
   */
  static final long HOT_NANOS = 2_000_000;

  /** How long a reader's own {@code poll} waits at a time before it looks at interrupts again. */
  private static final int DIRECT_SLICE_MILLIS = 10;

  /** A thread's errno capture, poll structure and read buffer. */
  private static final class Scratch {
    final Arena arena = Arena.ofAuto();
    final MemorySegment capture = Libc.newCapture(arena);
    final MemorySegment pollfd = arena.allocate(8, 4);
    byte[] buffer = new byte[FIRST_READ];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final EventLoop loop;
  private final DeliveryPool delivery;
  private final FileDescriptor fd;
  private final OutputSink sink;
  private final Set<Channel> open;
  private final long token;

  /** Where the sink lets the next read go; the busy thread's. */
  private final OutputSink.ReadSpace space = new OutputSink.ReadSpace();

  /** Held by the one thread that runs the channel now. */
  private final AtomicBoolean busy = new AtomicBoolean();

  /** Something happened (readiness, room, start, abandon) that the runner must look at. */
  private volatile boolean pending;

  private volatile boolean delivering;
  private volatile boolean abandoned;

  // the busy thread's
  private boolean finished;
  private boolean lendFailed;
  private boolean bigPipe;
  private int pipeSize = DEFAULT_PIPE;
  private long lastTurnEnd;

  /**
   * @param open the engine's open channels: this one is in it until its pipe is closed
   */
  OutputChannel(
      EventLoop loop,
      DeliveryPool delivery,
      FileDescriptor fd,
      OutputSink sink,
      Set<Channel> open) {
    this.loop = loop;
    this.delivery = delivery;
    this.fd = fd;
    this.sink = sink;
    this.open = open;
    this.token = loop.nextToken();
    open.add(this);
    sink.offerDirectRead(this::readOnCaller);
  }

  /**
   * Starts watching the pipe. What the agent writes before {@link #startDelivery()} waits in the
   * pipe.
   */
  void beginReading() throws IOException {
    loop.register(fd, Epoll.IN | Epoll.ONESHOT, this, token);
  }

  /**
   * Starts handing what the agent writes to the sink. Only a pipe the loop found readable before
   * now needs a turn: otherwise its watch is still armed, and the loop calls when bytes come.
   */
  void startDelivery() {
    delivering = true;
    if (pending) {
      schedule();
    }
  }

  /**
   * Stops reading and closes the pipe; the sink then sees its end (even before delivery starts).
   */
  void abandon() {
    abandoned = true;
    schedule();
  }

  @Override
  public void release() {
    abandon();
  }

  /** The pipe is readable (or hung up); its watch is disarmed until {@link #arm()}. */
  @Override
  public void ready(int events) {
    assert loop.inEventLoop();
    pending = true;
    if (!delivering) {
      return; // startDelivery() sees pending and schedules the turn
    }
    if (!busy.compareAndSet(false, true)) {
      return;
    }
    if (!sink.neverBlocks()) {
      delivery.execute(this::run);
      return;
    }
    pending = false;
    if (turn(SCRATCH.get(), true)) {
      delivery.execute(this::run); // the pipe had more than one read: the pool takes the turn on
      return;
    }
    busy.set(false);
    if (pending && busy.compareAndSet(false, true)) {
      delivery.execute(this::run);
    }
  }

  /**
   * A waiting reader's turn on its own thread ({@link OutputSink.DirectRead}): the loop's one-read
   * turn, run here once the pipe is readable.
   */
  private boolean readOnCaller(long nanos, BooleanSupplier delivered) throws InterruptedException {
    if (Thread.currentThread().isVirtual()
        || !delivering
        || finished
        || abandoned
        || !sink.neverBlocks()
        || !busy.compareAndSet(false, true)) {
      return false;
    }
    boolean handOver = false;
    try {
      if (delivered.getAsBoolean()) {
        return true; // delivered by another thread just before this one took the stream
      }
      Scratch s = SCRATCH.get();
      long deadline = System.nanoTime() + nanos;
      // In slices, so that an interrupt or an abandon is seen; data ends a slice at once.
      while (!Pipes.awaitReadable(
          s.capture, s.pollfd, fd.intValue(), (int) Math.min(DIRECT_SLICE_MILLIS, millis(nanos)))) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        nanos = deadline - System.nanoTime();
        if (nanos <= 0 || abandoned || pending) {
          return true; // nothing read; the caller looks again
        }
      }
      pending = false; // cleared before the turn, which re-arms the watch once the pipe is empty
      handOver = turn(s, true);
      return true;
    } finally {
      if (!handOver) {
        busy.set(false);
        if (pending && busy.compareAndSet(false, true)) {
          delivery.execute(this::run);
        }
      } else {
        delivery.execute(this::run); // a full read: the pool reads the rest
      }
    }
  }

  private static long millis(long nanos) {
    return Math.max(0, (nanos + 999_999) / 1_000_000);
  }

  private void schedule() {
    pending = true;
    if (busy.compareAndSet(false, true)) {
      delivery.execute(this::run);
    }
  }

  /** A delivery thread's turn: runs until nothing more is pending. */
  private void run() {
    Scratch s = SCRATCH.get();
    while (true) {
      pending = false;
      turn(s, false);
      busy.set(false);
      if (!pending || !busy.compareAndSet(false, true)) {
        return;
      }
    }
  }

  /**
   * Reads and delivers until the pipe is empty (then re-arms the watch), the sink is full (then
   * waits for room), the turn's bytes are used up (re-arms: the loop calls again at once, after
   * other streams), or the pipe ends.
   *
   * @param inline on the loop thread: one read only
   * @return whether the loop should hand the rest of the turn to the pool
   */
  private boolean turn(Scratch s, boolean inline) {
    if (finished) {
      return false;
    }
    if (abandoned) {
      finish();
      return false;
    }
    if (!delivering) {
      return false; // startDelivery() schedules a turn
    }
    if (sink.full()) {
      sink.whenRoom(this::schedule);
      return false;
    }
    long budget = TURN_BYTES;
    long start = System.nanoTime();
    boolean hot = !inline && start - lastTurnEnd < HOT_NANOS;
    while (true) {
      byte[] buf;
      int from;
      int to;
      if (lend()) {
        buf = space.array();
        from = space.from();
        to = inline ? Math.min(space.to(), from + FIRST_READ) : space.to();
      } else {
        buf = s.buffer;
        from = 0;
        to = buf.length;
      }
      long n = Pipes.read(s.capture, fd.intValue(), buf, from, to - from);
      if (n == -Pipes.EAGAIN) {
        if (hot
            && System.nanoTime() - start < HOT_NANOS
            && Pipes.awaitReadable(s.capture, s.pollfd, fd.intValue(), HOT_WAIT_MILLIS)) {
          continue; // a streaming agent: its next bytes come sooner than a trip through the loop
        }
        arm();
        lastTurnEnd = System.nanoTime();
        return false;
      }
      hot |= !inline && n >= HOT_READ;
      if (n <= 0) {
        finish(); // end of file, or the pipe failed: either way this stream is over
        return false;
      }
      if (n >= pipeSize) {
        enlarge(s, inline);
      }
      deliver(buf, from, (int) n);
      if (abandoned) {
        finish();
        return false;
      }
      if (sink.full()) {
        sink.whenRoom(this::schedule);
        return false;
      }
      if (inline) {
        if (n < to - from) {
          arm();
          return false;
        }
        return true;
      }
      budget -= n;
      if (budget <= 0) {
        arm(); // others' turn: a pipe with more fires again at once
        lastTurnEnd = System.nanoTime();
        return false;
      }
    }
  }

  /** The pipe was full when read: make it, and this thread's buffer, bigger. */
  private void enlarge(Scratch s, boolean inline) {
    if (!inline && s.buffer.length < MAX_READ) {
      s.buffer = new byte[MAX_READ];
    }
    if (!bigPipe && BIG_PIPES.incrementAndGet() <= MAX_BIG_PIPES) {
      bigPipe = true;
      pipeSize = Pipes.setPipeSize(fd, BIG_PIPE);
    } else if (!bigPipe) {
      BIG_PIPES.decrementAndGet();
      pipeSize = Integer.MAX_VALUE; // no more tries
    }
  }

  /**
   * Whether the sink lent memory for the next read ({@link #space}). A sink whose {@code lend}
   * failed once is not asked again: its reads go into the thread's own buffer.
   */
  private boolean lend() {
    if (lendFailed) {
      return false;
    }
    try {
      return sink.lend(space);
    } catch (Throwable e) { // even an Error: the stream goes on, with the engine's buffer
      lendFailed = true;
      sink.inLogContext(
          () -> LOG.warn("an output consumer failed to lend memory: {}", e.toString(), e));
      return false;
    }
  }

  private void deliver(byte[] buf, int from, int n) {
    try {
      sink.data(buf, from, n);
    } catch (Throwable e) { // even an Error: a stream that stops here would block its agent
      sink.inLogContext(
          () -> LOG.warn("an output consumer failed: {}; delivery goes on", e.toString(), e));
    }
  }

  private void arm() {
    try {
      loop.rearm(fd, Epoll.IN | Epoll.ONESHOT, token);
    } catch (IOException e) {
      sink.inLogContext(() -> LOG.warn("cannot watch an output pipe: {}", e.getMessage()));
      finish();
    }
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    loop.unregister(fd, token);
    fd.close();
    if (bigPipe) {
      BIG_PIPES.decrementAndGet();
    }
    open.remove(this);
    try {
      sink.end();
    } catch (Throwable e) {
      sink.inLogContext(
          () -> LOG.warn("an output consumer failed at end of stream: {}", e.toString(), e));
    }
  }
}
