package dev.descartes.runner.internal.sandbox;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One platform thread that lives as long as the JVM and starts every sandboxed agent. Bubblewrap's
 * {@code --die-with-parent} sets {@code PR_SET_PDEATHSIG}, which fires when the thread that started
 * the process ends, not the process: started from a pooled or virtual thread, a sandboxed agent
 * would be killed when that thread retires. Started from here it dies only with the JVM.
 * Thread-safe.
 */
public final class SpawnThread {

  /** A start that may fail with an {@link IOException}. */
  @FunctionalInterface
  public interface Start<T> {
    T call() throws IOException;
  }

  private static final LinkedBlockingQueue<Runnable> QUEUE = new LinkedBlockingQueue<>();

  static {
    Thread.ofPlatform().daemon(true).name("descartes-sandbox-spawner").start(() -> {
      while (true) {
        try {
          QUEUE.take().run();
        } catch (InterruptedException e) {
          // a daemon that serves until the JVM ends: keep going
        } catch (RuntimeException | Error e) {
          // each task reports its own failure through its future
        }
      }
    });
  }

  private SpawnThread() {}

  /** Runs {@code start} on the spawner thread and returns its result. */
  public static <T> T call(Start<T> start) throws IOException {
    CompletableFuture<T> f = new CompletableFuture<>();
    QUEUE.add(() -> {
      try {
        f.complete(start.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the start goes on regardless: wait for it, so nothing is lost
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException(c);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
