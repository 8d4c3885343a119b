package dev.descartes.runner.internal.engine;

import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.internal.os.Epoll;
import dev.descartes.runner.internal.os.FileDescriptor;
import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.OwnChildren;
import dev.descartes.runner.internal.os.WaitId;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A process started by {@link NativeProcessEngine}: its pidfd, watched by the event loop, and its
 * three pipes. When the pidfd turns readable the loop reaps exactly this process with {@code
 * waitid(P_PIDFD)} and {@link #onExit()} completes, on the loop thread, with the exact wait status
 * (exit code, or terminating signal). Thread-safe.
 */
final class NativeChild implements ChildProcess, EventLoop.Handler {

  private final EventLoop loop;
  private final int pid;
  private final FileDescriptor pidfd;
  private final StdinChannel stdin;
  private final OutputChannel stdout;
  private final OutputChannel stderr;
  private final Consumer<NativeChild> onReaped;
  private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
  private final AtomicBoolean outputStarted = new AtomicBoolean();
  private long token;
  private boolean reaped; // loop thread only

  /** Held to signal through {@link #pidfd} and to close it: the number is never reused mid-call. */
  private final Object pidfdLock = new Object();

  NativeChild(
      EventLoop loop,
      DeliveryPool delivery,
      int pid,
      FileDescriptor pidfd,
      FileDescriptor stdinFd,
      FileDescriptor stdoutFd,
      FileDescriptor stderrFd,
      LaunchRequest request,
      java.util.Set<Channel> channels,
      Consumer<NativeChild> onReaped) {
    this.loop = loop;
    this.pid = pid;
    this.pidfd = pidfd;
    this.stdin = new StdinChannel(loop, stdinFd, channels);
    this.stdout = new OutputChannel(loop, delivery, stdoutFd, request.stdout(), channels);
    this.stderr = new OutputChannel(loop, delivery, stderrFd, request.stderr(), channels);
    this.onReaped = onReaped;
  }

  /**
   * Starts watching the pidfd and reading the output pipes (delivery waits for {@link
   * #startOutput()}).
   */
  void watch() throws IOException {
    stdout.beginReading();
    stderr.beginReading();
    long t = loop.nextToken();
    token = t;
    loop.register(pidfd, Epoll.IN, this, t);
  }

  @Override
  public void ready(int events) {
    assert loop.inEventLoop();
    if (reaped) {
      return;
    }
    WaitId.Result r = WaitId.reap(pidfd);
    ExitStatus status;
    Throwable failure = null;
    switch (r) {
      case WaitId.Result.Running running -> {
        return; // not yet waitable; the pidfd stays readable and fires again
      }
      case WaitId.Result.Exited e -> status = ExitStatus.exited(e.code());
      case WaitId.Result.Killed k -> status = ExitStatus.signalled(k.signal());
      case WaitId.Result.Failed f -> {
        status = null;
        failure =
            new IllegalStateException(
                "process "
                    + pid
                    + " could not be reaped (error "
                    + f.errno()
                    + "): something else in this JVM reaped it, such as a waitpid(-1) call");
      }
    }
    reaped = true;
    OwnChildren.reaped(pid);
    loop.unregister(pidfd, token);
    synchronized (pidfdLock) {
      pidfd.close();
    }
    onReaped.accept(this);
    if (failure == null) {
      exit.complete(status);
    } else {
      exit.completeExceptionally(failure);
    }
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public void startOutput() {
    if (outputStarted.compareAndSet(false, true)) {
      stdout.startDelivery();
      stderr.startDelivery();
    }
  }

  @Override
  public CompletableFuture<ExitStatus> onExit() {
    return exit;
  }

  @Override
  public boolean reportsSignalsExactly() {
    return true;
  }

  @Override
  public void killNow() {
    synchronized (pidfdLock) {
      if (pidfd.isOpen()) {
        Native.get().ifPresent(n -> n.pidfdSendSignal(pidfd, AgentSignal.KILL.number()));
      }
    }
  }

  @Override
  public void writeStdin(byte[] data) throws IOException {
    stdin.write(data);
  }

  @Override
  public boolean isStdinOpen() {
    return stdin.isOpen();
  }

  @Override
  public void closeStdin() {
    stdin.close();
  }

  @Override
  public void abandonOutput() {
    stdout.abandon();
    stderr.abandon();
  }

  @Override
  public String toString() {
    return "NativeChild[" + pid + "]";
  }
}
