package dev.descartes.runner.internal.os;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open file descriptor that is closed exactly once: {@link #close()} is idempotent and safe to
 * race, so no caller ever closes a number that the kernel has handed out again to another file.
 * Whoever still uses the number after a close races with that close; the native engine avoids it by
 * confining each descriptor to the event loop, or to a lock. Thread-safe.
 */
public final class FileDescriptor implements AutoCloseable {

  private final AtomicInteger fd;

  /** Takes ownership of {@code fd}, which must be open. */
  public FileDescriptor(int fd) {
    if (fd < 0) {
      throw new IllegalArgumentException("not a file descriptor: " + fd);
    }
    this.fd = new AtomicInteger(fd);
  }

  /** The descriptor's number, or -1 once it is closed. */
  public int intValue() {
    return fd.get();
  }

  public boolean isOpen() {
    return fd.get() >= 0;
  }

  /** Closes the descriptor, the first time only. */
  @Override
  public void close() {
    int f = fd.getAndSet(-1);
    if (f >= 0) {
      Pipes.close(f);
    }
  }

  /** Closes each of {@code fds} that is not null. */
  public static void closeAll(FileDescriptor... fds) {
    for (FileDescriptor f : fds) {
      if (f != null) {
        f.close();
      }
    }
  }

  @Override
  public String toString() {
    return "fd " + fd.get();
  }
}
