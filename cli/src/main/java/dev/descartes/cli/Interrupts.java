package dev.descartes.cli;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl+C while agents run: the first SIGINT asks for a graceful stop, the second for a kill; later
 * ones are ignored. The callbacks run on the JVM's signal thread and must not block. Closing
 * restores the previous handler (the JVM's default, which exits).
 */
final class Interrupts implements AutoCloseable {

  private static final Signal INT = new Signal("INT");

  private final AtomicInteger count = new AtomicInteger();
  private final SignalHandler previous;

  private Interrupts(Runnable first, Runnable second) {
    SignalHandler old;
    try {
      old = Signal.handle(INT, sig -> {
        switch (count.incrementAndGet()) {
          case 1 -> first.run();
          case 2 -> second.run();
          default -> { }
        }
      });
    } catch (IllegalArgumentException unavailable) {
      old = null; // SIGINT is ignored or reserved here: the runner's shutdown hook still stops agents
    }
    previous = old;
  }

  /** Handles SIGINT until closed. */
  static Interrupts install(Runnable first, Runnable second) {
    return new Interrupts(first, second);
  }

  /** Whether Ctrl+C was pressed. */
  boolean interrupted() {
    return count.get() > 0;
  }

  @Override
  public void close() {
    if (previous != null) {
      Signal.handle(INT, previous);
    }
  }
}
