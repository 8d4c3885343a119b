package dev.descartes.runner.internal.os;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Sends a signal to one process identified by pid <em>and</em> start time, so that a recycled pid
 * is never signalled. With native access: {@code pidfd_open}, check the start time, then {@code
 * pidfd_send_signal} on the descriptor, which cannot refer to any later process. Without: the JDK's
 * {@code ProcessHandle} (which checks the start time itself) for SIGTERM and SIGKILL, and {@code
 * /bin/kill} after a start-time check for the rest.
 */
public final class Signaller {

  private Signaller() {}

  /**
   * @return true if the signal was delivered to that very process
   */
  public static boolean send(int pid, long startTicks, int signal) {
    Optional<Native> nat = Native.get();
    if (nat.isPresent()) {
      Native n = nat.get();
      Optional<FileDescriptor> opened = n.pidfdOpen(pid);
      if (opened.isEmpty()) {
        return false;
      }
      try (FileDescriptor fd = opened.get()) {
        return sameProcess(pid, startTicks) && n.pidfdSendSignal(fd, signal) == 0;
      }
    }
    return sendWithoutNative(pid, startTicks, signal);
  }

  private static boolean sendWithoutNative(int pid, long startTicks, int signal) {
    Optional<ProcessHandle> ph = ProcessHandle.of(pid);
    if (ph.isEmpty() || !sameProcess(pid, startTicks)) {
      return false;
    }
    if (signal == 15) {
      return ph.get().destroy();
    }
    if (signal == 9) {
      return ph.get().destroyForcibly();
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Integer.toString(pid))
              .redirectErrorStream(true)
              .start();
      kill.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean sameProcess(int pid, long startTicks) {
    return ProcFs.stat(pid).map(s -> s.startTicks() == startTicks).orElse(false);
  }
}
