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

  @Override
  public void data(byte[] buf, int off, int len) {
    enter();
    try {
      synchronized (bytes) {
        bytes.write(buf, off, len);
      }
    } finally {
      concurrent.decrementAndGet();
    }
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
