package dev.descartes.runner.internal.engine;

import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.internal.os.OwnChildren;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.os.ProcStat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The portable engine: {@link ProcessBuilder}, with util-linux {@code setsid} in front of the
 * program on Linux (it execs in place, so the child keeps its pid and leads a new session and
 * process group). Each child costs three platform threads: the JDK's own process reaper, and one
 * pump per output stream; plus a virtual thread that waits for its exit. The pumps are platform
 * threads with small stacks, never virtual threads: a virtual thread blocked reading a process pipe
 * holds a carrier, and beyond 256 agents readers would starve.
 */
public final class JdkProcessEngine implements ProcessEngine {

  private static final long PUMP_STACK = 256 * 1024;
  private static final int BUFFER = 64 * 1024;
  private static final long SESSION_TIMEOUT_NANOS = 2_000_000_000L;

  private final Optional<Path> setsid = Platform.setsid();

  @Override
  public String name() {
    return "jdk";
  }

  @Override
  public ChildProcess start(LaunchRequest request) throws IOException {
    List<String> argv = new ArrayList<>(request.argv().size() + 3);
    setsid.ifPresent(p -> argv.add(p.toString()));
    if (request.argv().getFirst().indexOf('=') < 0) { // env would take "a=b" for an assignment
      Platform.signalReset().ifPresent(argv::addAll);
    }
    argv.addAll(request.argv());
    ProcessBuilder pb = new ProcessBuilder(argv).directory(request.workingDir().toFile());
    pb.environment().clear();
    pb.environment().putAll(request.environment());
    Process process;
    try {
      process = pb.start();
      OwnChildren.started(process.pid());
    } catch (IOException e) {
      throw setsid.isPresent()
          ? SpawnMessages.naming(e, setsid.get().toString(), request.argv().getFirst())
          : e;
    }
    if (setsid.isPresent()) {
      awaitOwnSession(process.pid());
    }
    return new JdkChild(process, request.stdout(), request.stderr());
  }

  /**
   * {@code start()} returns once {@code setsid} is running; it calls setsid(2) a moment later. Wait
   * for that, so that the agent leads its session and group when spawn returns.
   */
  private static void awaitOwnSession(long pid) {
    long deadline = System.nanoTime() + SESSION_TIMEOUT_NANOS;
    while (System.nanoTime() < deadline) {
      Optional<ProcStat> s = ProcFs.stat(pid);
      if (s.isEmpty() || s.get().sid() == pid || s.get().isZombie()) {
        return;
      }
      LockSupport.parkNanos(20_000);
    }
  }

  @Override
  public void close() {}

  private static final class JdkChild implements ChildProcess {
    private final Process process;
    private final OutputSink stdoutSink;
    private final OutputSink stderrSink;
    private final java.util.concurrent.locks.ReentrantLock stdinLock =
        new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean stdinReleased;
    private final OutputStream stdin;
    private final AtomicBoolean stdinClosed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<ExitStatus> exit;

    JdkChild(Process process, OutputSink stdoutSink, OutputSink stderrSink) {
      this.process = process;
      this.stdoutSink = stdoutSink;
      this.stderrSink = stderrSink;
      this.stdin = process.getOutputStream();
      this.exit = new CompletableFuture<>();
      // Not process.onExit(): its stages run on the common ForkJoin pool, which user code can
      // block. A virtual thread in Process.waitFor() (Object.wait) holds no carrier while it waits.
      Thread.ofVirtual().name("descartes-exit-" + process.pid()).start(this::awaitExit);
    }

    private void awaitExit() {
      boolean interrupted = false;
      while (true) {
        try {
          int code = process.waitFor();
          OwnChildren.reaped(process.pid());
          exit.complete(ExitStatus.exited(code));
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public void killNow() {
      process.destroyForcibly(); // the JDK signals only a process it has not reaped
    }

    @Override
    public void startOutput() {
      if (started.compareAndSet(false, true)) {
        pump("stdout", process.getInputStream(), stdoutSink);
        pump("stderr", process.getErrorStream(), stderrSink);
      }
    }

    private void pump(String stream, InputStream in, OutputSink sink) {
      Thread.ofPlatform()
          .name("descartes-" + stream + "-" + process.pid())
          .daemon(true)
          .stackSize(PUMP_STACK)
          .start(
              () -> {
                byte[] buf = new byte[BUFFER];
                try (in) {
                  int n;
                  while ((n = in.read(buf)) >= 0) {
                    if (n > 0) {
                      sink.data(buf, 0, n);
                      if (sink.full()) {
                        awaitRoom(sink);
                      }
                    }
                  }
                } catch (IOException e) {
                  // closed by abandonOutput(), or the pipe broke: either way this stream has ended
                } finally {
                  sink.end();
                }
              });
    }

    /** Holds the pump (and so the pipe, and so the agent) until the sink has room. */
    private static void awaitRoom(OutputSink sink) {
      java.util.concurrent.CountDownLatch room = new java.util.concurrent.CountDownLatch(1);
      sink.whenRoom(room::countDown);
      boolean interrupted = false;
      while (true) {
        try {
          room.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
      return exit;
    }

    @Override
    public boolean reportsSignalsExactly() {
      return false;
    }

    /**
     * One write at a time. A write blocked on a full pipe holds {@link #stdinLock}; {@link
     * #closeStdin()} never waits for it: the pipe is then closed by whichever of the two finishes
     * last ({@link #closeIfAsked()}), so the agent reads end of file right after the bytes being
     * written.
     */
    @Override
    public void writeStdin(byte[] data) throws IOException {
      stdinLock.lock();
      try {
        if (stdinClosed.get()) {
          throw new IOException("stdin is closed");
        }
        stdin.write(data);
        stdin.flush();
      } finally {
        stdinLock.unlock();
        closeIfAsked();
      }
    }

    private void closeIfAsked() {
      if (stdinClosed.get() && !stdinReleased && stdinLock.tryLock()) {
        try {
          if (!stdinReleased) {
            stdinReleased = true;
            stdin.close();
          }
        } catch (IOException e) {
          // the child is gone: its stdin is closed either way
        } finally {
          stdinLock.unlock();
        }
      }
    }

    @Override
    public boolean isStdinOpen() {
      return !stdinClosed.get();
    }

    @Override
    public void closeStdin() {
      if (stdinClosed.compareAndSet(false, true)) {
        closeIfAsked(); // a write under way closes it when it returns
      }
    }

    @Override
    public void abandonOutput() {
      closeQuietly(process.getInputStream());
      closeQuietly(process.getErrorStream());
    }

    private static void closeQuietly(InputStream in) {
      try {
        in.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }
}
