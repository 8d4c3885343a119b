package dev.descartes.runner.internal.engine;

import dev.descartes.runner.internal.os.FileDescriptor;
import dev.descartes.runner.internal.os.Libc;
import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.OwnChildren;
import dev.descartes.runner.internal.os.Pipes;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.PosixSpawn;
import dev.descartes.runner.internal.os.WaitId;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux engine: {@code posix_spawnp} into a new session, a pidfd per child, and one {@code
 * epoll} thread for every agent's pipes and exits, all through the FFM API.
 *
 * <p>Threads, whatever the number of agents: one event-loop thread per engine (so per runner), and
 * a {@link DeliveryPool} of 2 to 4 platform threads (one per core) that hand the bytes read to the
 * output sinks, one stream at a time per thread; the pool adds a thread only while a consumer
 * blocks for more than 50 ms with work waiting. A child's exit is noticed through its pidfd, it is
 * reaped with {@code waitid(P_PIDFD)} and its exit future completes on the loop thread (the runner
 * hands its exit handling to a thread of its own): this engine never waits for any other process,
 * and never calls {@code waitpid(-1)}. Thread-safe.
 */
public final class NativeProcessEngine implements ProcessEngine {

  private static final Logger LOG = LoggerFactory.getLogger(NativeProcessEngine.class);
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final DeliveryPool delivery;
  private final EventLoop loop;
  private final Set<NativeChild> live = ConcurrentHashMap.newKeySet();
  private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @throws IllegalStateException if {@link #unavailableReason()} is present
   * @throws IOException if the event loop cannot be set up (out of descriptors)
   */
  public NativeProcessEngine() throws IOException {
    unavailableReason()
        .ifPresent(
            r -> {
              throw new IllegalStateException("the native process engine is unavailable: " + r);
            });
    WaitId.link();
    delivery = new DeliveryPool("descartes-output");
    try {
      loop = new EventLoop("descartes-epoll", delivery);
    } catch (IOException e) {
      delivery.close();
      throw e;
    }
  }

  /** Why this engine cannot run in this JVM, or empty if it can. */
  public static Optional<String> unavailableReason() {
    return Availability.REASON;
  }

  private static final class Availability {
    static final Optional<String> REASON = check();

    private static Optional<String> check() {
      if (!Platform.isLinux()) {
        return Optional.of("it runs on Linux only, and this is " + System.getProperty("os.name"));
      }
      String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
      if (!Set.of("amd64", "x86_64", "aarch64").contains(arch)) {
        return Optional.of("it supports x86_64 and aarch64, and this is " + arch);
      }
      if (!Native.available()) {
        return Optional.of(
            "native access is not enabled, or this kernel has no pidfds (Linux 5.3+)");
      }
      try {
        if (!PosixSpawn.supported()) {
          return Optional.of(
              "it needs glibc 2.34 or later (posix_spawn_file_actions_addclosefrom_np)");
        }
      } catch (LinkageError | RuntimeException e) {
        return Optional.of("its C library bindings failed to load: " + e);
      }
      return Optional.empty();
    }
  }

  @Override
  public String name() {
    return "native";
  }

  @Override
  public ChildProcess start(LaunchRequest request) throws IOException {
    if (closed) {
      throw new IOException("the native process engine is closed");
    }
    Pipes.Pipe in = null;
    Pipes.Pipe out = null;
    Pipes.Pipe err = null;
    int pid = 0;
    try {
      in = Pipes.pipe();
      out = Pipes.pipe();
      err = Pipes.pipe();
      Pipes.setNonBlocking(in.write());
      Pipes.setNonBlocking(out.read());
      Pipes.setNonBlocking(err.read());
      pid =
          PosixSpawn.spawn(
              request.argv(),
              request.environment(),
              request.workingDir(),
              new int[] {in.read().intValue(), out.write().intValue(), err.write().intValue()});
    } finally {
      // the child's ends: the child has its own copies now (or there is no child)
      FileDescriptor.closeAll(childEnd(in, true), childEnd(out, false), childEnd(err, false));
      if (pid <= 0) {
        FileDescriptor.closeAll(childEnd(in, false), childEnd(out, true), childEnd(err, true));
      }
    }
    if (pid < 0) {
      throw SpawnMessages.cannotRun(
          request.argv().getFirst(), request.workingDir(), -pid, Libc.describe(-pid));
    }
    int started = pid;
    OwnChildren.started(pid);
    Optional<FileDescriptor> pidfd = Native.get().flatMap(n -> n.pidfdOpen(started));
    if (pidfd.isEmpty()) {
      killAndReap(pid, null);
      FileDescriptor.closeAll(in.write(), out.read(), err.read());
      throw new IOException(
          "started '"
              + request.argv().getFirst()
              + "' but could not open a pidfd for it"
              + " (out of file descriptors?); it was killed");
    }
    NativeChild child =
        new NativeChild(
            loop,
            delivery,
            pid,
            pidfd.get(),
            in.write(),
            out.read(),
            err.read(),
            request,
            channels,
            live::remove);
    live.add(child);
    try {
      child.watch();
    } catch (IOException e) {
      live.remove(child);
      child.closeStdin();
      child.abandonOutput();
      killAndReap(pid, pidfd.get());
      pidfd.get().close();
      throw new IOException(
          "started '"
              + request.argv().getFirst()
              + "' but could not watch it: "
              + e.getMessage()
              + "; it was killed",
          e);
    }
    return child;
  }

  /** The read end ({@code read}) or the write end of {@code pipe}, or null if there is no pipe. */
  private static FileDescriptor childEnd(Pipes.Pipe pipe, boolean read) {
    return pipe == null ? null : read ? pipe.read() : pipe.write();
  }

  /**
   * Kills and reaps a child this engine cannot watch; it is ours and unreaped, so its pid is safe.
   */
  private static void killAndReap(int pid, FileDescriptor pidfd) {
    if (pidfd != null) {
      Native.get().ifPresent(n -> n.pidfdSendSignal(pidfd, 9));
    } else {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    WaitId.reapBlocking(pid);
    OwnChildren.reaped(pid);
  }

  /**
   * Stops reading every pipe still open and closes every stdin, then stops the event loop as soon
   * as the children still running have exited and been reaped, waiting up to five seconds for that.
   * A child that outlives the wait is still reaped by the loop, which ends after it.
   */
  @Override
  public boolean startsThreads() {
    return false; // posix_spawn only; the loop and delivery threads exist before any spawn
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Channel c : channels) {
      c.release();
    }
    if (!loop.closeAndAwait(CLOSE_WAIT_MILLIS)) {
      LOG.warn(
          "native engine closed with {} children still running; they are reaped when they exit",
          live.size());
    }
    delivery.close();
  }
}
