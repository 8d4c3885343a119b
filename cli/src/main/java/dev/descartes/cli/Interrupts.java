package dev.descartes.cli;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The stops a user sends while agents run: SIGINT (Ctrl+C), SIGTERM and SIGHUP all get the same
 * care. The first asks for a graceful stop, the second (of any of the three) for a kill; later ones
 * are ignored. The handlers replace the JVM's, which would run shutdown hooks and halt before the
 * last events are written: the command ends on its own once every agent's output is out. They stay
 * installed until the process exits. The callbacks run on the JVM's signal thread and must not
 * block. Thread-safe.
 */
final class Interrupts implements AutoCloseable {

  /** A stop signal the command handles. */
  enum Stop {
    INT(2, "Ctrl+C"),
    TERM(15, "SIGTERM"),
    HUP(1, "SIGHUP");

    final int number;
    final String label;

    Stop(int number, String label) {
      this.number = number;
      this.label = label;
    }

    /** 128 + the signal's number, as a shell reports a command it ended. */
    int exitCode() {
      return 128 + number;
    }

    /** How to send it again, for the first stop's notice. */
    String again() {
      return this == INT ? "press Ctrl+C again" : "send " + label + " again";
    }
  }

  private final AtomicInteger count = new AtomicInteger();
  private final AtomicReference<Stop> first = new AtomicReference<>();

  private Interrupts(Consumer<Stop> onFirst, Consumer<Stop> onSecond) {
    for (Stop s : Stop.values()) {
      try {
        Signals.handle(
            s.name(),
            () -> {
              int n = count.incrementAndGet();
              if (n == 1) {
                first.set(s);
                onFirst.accept(s);
              } else if (n == 2) {
                onSecond.accept(s);
              }
            });
      } catch (IllegalArgumentException unavailable) {
        // ignored by whoever started us (nohup, a background job), or reserved (-Xrs): leave it so
      }
    }
  }

  /** Handles SIGINT, SIGTERM and SIGHUP from now until the process exits. */
  static Interrupts install(Consumer<Stop> first, Consumer<Stop> second) {
    return new Interrupts(first, second);
  }

  /** Whether a stop signal came. */
  boolean interrupted() {
    return count.get() > 0;
  }

  /** The first stop signal that came. */
  Optional<Stop> first() {
    return Optional.ofNullable(first.get());
  }

  /**
   * Nothing: a signal that comes after the run still must not halt the JVM before it has exited.
   */
  @Override
  public void close() {}
}
