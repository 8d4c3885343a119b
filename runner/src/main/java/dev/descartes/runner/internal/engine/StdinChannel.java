package dev.descartes.runner.internal.engine;

import dev.descartes.runner.internal.os.Epoll;
import dev.descartes.runner.internal.os.FileDescriptor;
import dev.descartes.runner.internal.os.Libc;
import dev.descartes.runner.internal.os.Pipes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write end of one agent's stdin, non-blocking.
 *
 * <p>{@link #write} writes what the pipe takes at once on the caller's thread. If the pipe is full,
 * the rest is queued, the loop is asked for {@code EPOLLOUT}, and the caller waits (parked, not in
 * a native call, so a virtual thread frees its carrier) until the loop has written it all, stdin is
 * closed, or the agent stops reading for good ({@code EPIPE}). The loop only ever makes
 * non-blocking writes; memory is bounded by what callers are waiting to write. Writes from several
 * threads are written whole, in the order they were queued. The descriptor is only used and closed
 * under {@link #lock}, so a closed descriptor number that the kernel hands out again is never
 * written to. Thread-safe.
 */
final class StdinChannel implements EventLoop.Handler, Channel {

  /** Each writing thread's errno capture. */
  private static final ThreadLocal<MemorySegment> CAPTURE =
      ThreadLocal.withInitial(() -> Libc.newCapture(Arena.ofAuto()));

  /** Bytes a caller waits to see written. */
  private static final class Pending {
    final byte[] data;
    int offset;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Pending(byte[] data, int offset) {
      this.data = data;
      this.offset = offset;
    }
  }

  private final EventLoop loop;
  private final FileDescriptor fd;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private boolean closed;
  private IOException broken;
  private long token;
  private boolean registered;
  private volatile boolean open = true;
  private final java.util.Set<Channel> channels;

  /**
   * @param channels the engine's open channels: this one is in it until it is closed
   */
  StdinChannel(EventLoop loop, FileDescriptor fd, java.util.Set<Channel> channels) {
    this.loop = loop;
    this.fd = fd;
    this.channels = channels;
    channels.add(this);
  }

  @Override
  public void release() {
    close();
  }

  boolean isOpen() {
    return open;
  }

  /** Writes all of {@code data}; blocks the caller (never the loop) while the pipe is full. */
  void write(byte[] data) throws IOException {
    Pending p;
    lock.lock();
    try {
      check();
      int off = 0;
      if (pending.isEmpty()) {
        off = writeSome(CAPTURE.get(), data, 0);
        if (off == data.length) {
          return;
        }
      }
      p = new Pending(data, off);
      pending.add(p);
      if (!registered) {
        token = loop.register(fd, Epoll.OUT, this);
        registered = true;
      }
    } finally {
      lock.unlock();
    }
    await(p.done);
  }

  private void check() throws IOException {
    if (closed) {
      throw new IOException("stdin is closed");
    }
    if (broken != null) {
      throw new IOException(broken.getMessage(), broken);
    }
  }

  /**
   * Writes from {@code data[off]} until done or the pipe is full; with {@link #lock} held.
   *
   * @return the new offset
   */
  private int writeSome(MemorySegment capture, byte[] data, int off) throws IOException {
    while (off < data.length) {
      long w = Pipes.write(capture, fd.intValue(), data, off, data.length - off);
      if (w == -Pipes.EAGAIN) {
        return off;
      }
      if (w < 0) {
        broken =
            new IOException(
                w == -Pipes.EPIPE ? "Broken pipe" : "write failed: " + Libc.describe((int) -w));
        throw broken;
      }
      off += (int) w;
    }
    return off;
  }

  /** The pipe has room (or its reader is gone): write what is queued. Loop thread. */
  @Override
  public void ready(int events) {
    assert loop.inEventLoop();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        while (!pending.isEmpty()) {
          Pending p = pending.peek();
          p.offset = writeSome(loop.capture(), p.data, p.offset);
          if (p.offset < p.data.length) {
            return; // full again: EPOLLOUT stays armed
          }
          pending.poll();
          p.done.complete(null);
        }
      } catch (IOException e) {
        failAll(e);
      }
      // Nothing left to write: stop watching (epoll reports EPOLLERR whatever the interest once
      // the agent closes its end, and a level-triggered error would spin).
      loop.unregister(fd, token);
      registered = false;
    } finally {
      lock.unlock();
    }
  }

  /** Closes the write end: the agent reads end of file. Waiting writers fail. Idempotent. */
  void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      open = false;
      if (!pending.isEmpty()) {
        failAll(new IOException("stdin is closed"));
      }
      if (registered) {
        loop.unregister(fd, token);
      }
      fd.close();
      channels.remove(this);
    } finally {
      lock.unlock();
    }
  }

  private void failAll(IOException e) {
    Pending p;
    while ((p = pending.poll()) != null) {
      p.done.completeExceptionally(e);
    }
  }

  private static void await(CompletableFuture<Void> done) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          done.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // like a blocking pipe write: not interruptible
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          throw c instanceof IOException io
              ? new IOException(io.getMessage(), io)
              : new IOException(c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
