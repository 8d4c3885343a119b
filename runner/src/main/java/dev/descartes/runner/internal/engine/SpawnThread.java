package dev.descartes.runner.internal.engine;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One platform thread that lives as long as the JVM, for starts that depend on the thread they are
 * made from. A child inherits the cgroups of the thread that forked it (cgroup v1 moves single
 * threads), and {@code PR_SET_PDEATHSIG}, which bubblewrap's {@code --die-with-parent} sets, fires
 * when that thread ends, not the JVM: started from a pooled or virtual thread, a sandboxed agent
 * would be killed when the thread retires. Started here it dies only with the JVM. Thread-safe.
 */
public final class SpawnThread {

  private static final ExecutorService THREAD =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "descartes-spawn");
            t.setDaemon(true);
            return t;
          });

  private SpawnThread() {}

  /**
   * Runs {@code start} on the spawn thread and returns what it returns. An interrupt of the caller
   * does not abandon a start under way: the caller waits for it, so its process is never lost, and
   * keeps the interrupt.
   *
   * @throws IOException what {@code start} throws (checked ones other than IOException wrapped)
   */
  public static <T> T call(Callable<T> start) throws IOException {
    Future<T> f = THREAD.submit(start);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException r) {
        throw r;
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
