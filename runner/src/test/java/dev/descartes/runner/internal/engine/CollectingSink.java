package dev.descartes.runner.internal.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link OutputSink} that keeps every byte and counts its calls, for engine tests. */
final class CollectingSink implements OutputSink {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> ended = new CompletableFuture<>();
  private final AtomicInteger ends = new AtomicInteger();
  private final AtomicInteger concurrent = new AtomicInteger();
  private volatile boolean overlapped;

  /**
   * Bytes the sink lends per read (0: it lends nothing; negative: its lend fails), and what it made
   * of the engine's reads.
   */
  private final int lendRoom;

  private static final int GUARD = 64;
  private static final byte UNTOUCHED = (byte) 0xa5;
  private byte[] lent;
  private final AtomicInteger lends = new AtomicInteger();
  private final AtomicInteger readsIntoLent = new AtomicInteger();
  private final java.util.List<String> misuse = new java.util.concurrent.CopyOnWriteArrayList<>();

  CollectingSink() {
    this(0);
  }

  /** A sink that lends each read a fresh stretch of {@code room} bytes between guard bytes. */
  static CollectingSink lending(int room) {
    return new CollectingSink(room);
  }

  /**
   * @param lendRoom when positive, the sink lends each read a fresh stretch of this many bytes
   *     between guard bytes, and notes any read that strays outside it; when negative, every lend
   *     throws
   */
  private CollectingSink(int lendRoom) {
    this.lendRoom = lendRoom;
  }

  /** A sink whose every {@link #lend} throws: the engine must read into its own buffer. */
  static CollectingSink failingToLend() {
    return new CollectingSink(-1);
  }

  @Override
  public boolean lend(ReadSpace space) {
    if (lendRoom < 0) {
      lends.incrementAndGet();
      throw new IllegalStateException("a consumer's bug: lend fails");
    }
    if (lendRoom == 0) {
      return false;
    }
    lent = new byte[GUARD + lendRoom + GUARD];
    java.util.Arrays.fill(lent, UNTOUCHED);
    space.set(lent, GUARD, GUARD + lendRoom);
    lends.incrementAndGet();
    return true;
  }

  @Override
  public void data(byte[] buf, int off, int len) {
    enter();
    try {
      if (lendRoom > 0) {
        checkLent(buf, off, len);
      }
      synchronized (bytes) {
        bytes.write(buf, off, len);
      }
    } finally {
      concurrent.decrementAndGet();
    }
  }

  private void checkLent(byte[] buf, int off, int len) {
    if (buf != lent || off != GUARD || len > lendRoom) {
      misuse.add("a read of " + len + " at " + off + " not into the stretch just lent");
      return;
    }
    readsIntoLent.incrementAndGet();
    for (int i = 0; i < GUARD; i++) {
      if (buf[i] != UNTOUCHED || buf[GUARD + lendRoom + i] != UNTOUCHED) {
        misuse.add("a read wrote outside the stretch lent");
        return;
      }
    }
  }

  /** How many reads the sink lent memory for, and how many of them the engine handed back. */
  int lends() {
    return lends.get();
  }

  int readsIntoLent() {
    return readsIntoLent.get();
  }

  /** Reads that did not go where the sink said, or wrote outside it. */
  java.util.List<String> misuse() {
    return misuse;
  }

  @Override
  public void end() {
    enter();
    try {
      ends.incrementAndGet();
      ended.complete(text());
    } finally {
      concurrent.decrementAndGet();
    }
  }

  private void enter() {
    if (concurrent.incrementAndGet() > 1) {
      overlapped = true;
    }
  }

  String text() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  int size() {
    synchronized (bytes) {
      return bytes.size();
    }
  }

  /** Everything, once the stream has ended. */
  String awaitEnd() throws Exception {
    return ended.get(30, TimeUnit.SECONDS);
  }

  CompletableFuture<String> ended() {
    return ended;
  }

  int endCalls() {
    return ends.get();
  }

  /** Whether two calls ever ran at the same time (the contract says one thread at a time). */
  boolean overlapped() {
    return overlapped;
  }
}
