package dev.descartes.cli;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl+C while agents run: the first SIGINT asks for a graceful stop, the second for a kill; later
 * ones are ignored. The callbacks run on the JVM's signal thread and must not block. Closing
 * restores the previous handler (the JVM's default, which exits).
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is reached through method handles, so
 * the build's {@code -Werror} does not trip on its "internal proprietary API" warning, which no
 * {@code @SuppressWarnings} silences.
 */
final class Interrupts implements AutoCloseable {

  private static final Class<?> SIGNAL;
  private static final Class<?> HANDLER;
  private static final MethodHandle HANDLE;
  private static final MethodHandle NEW_SIGNAL;

  static {
    try {
      SIGNAL = Class.forName("sun.misc.Signal");
      HANDLER = Class.forName("sun.misc.SignalHandler");
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      HANDLE = lookup.findStatic(SIGNAL, "handle", MethodType.methodType(HANDLER, SIGNAL, HANDLER));
      NEW_SIGNAL = lookup.findConstructor(SIGNAL, MethodType.methodType(void.class, String.class));
    } catch (Throwable e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final AtomicInteger count = new AtomicInteger();
  private final Object previous;

  private Interrupts(Runnable first, Runnable second) {
    Object handler = handler(() -> {
      switch (count.incrementAndGet()) {
        case 1 -> first.run();
        case 2 -> second.run();
        default -> { }
      }
    });
    Object old;
    try {
      old = handle("INT", handler);
    } catch (IllegalArgumentException unavailable) {
      old = null; // SIGINT is ignored or reserved here: the runner's shutdown hook still stops agents
    }
    previous = old;
  }

  /**
   * Runs {@code action} on the JVM's signal thread for every {@code signal} ("TERM", "INT", ...)
   * from now on.
   *
   * @throws IllegalArgumentException if the JVM cannot handle that signal here
   */
  static void onSignal(String signal, Runnable action) {
    handle(signal, handler(action));
  }

  private static Object handler(Runnable action) {
    return Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER},
        (proxy, method, args) -> switch (method.getName()) {
          case "handle" -> {
            action.run();
            yield null;
          }
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> "signal handler";
        });
  }

  private static Object handle(String signal, Object handler) {
    try {
      return HANDLE.invoke(NEW_SIGNAL.invoke(signal), handler);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
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
      handle("INT", previous);
    }
  }
}
