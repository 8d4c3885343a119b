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
  private static final Object INT;

  static {
    try {
      SIGNAL = Class.forName("sun.misc.Signal");
      HANDLER = Class.forName("sun.misc.SignalHandler");
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      HANDLE = lookup.findStatic(SIGNAL, "handle", MethodType.methodType(HANDLER, SIGNAL, HANDLER));
      INT = lookup.findConstructor(SIGNAL, MethodType.methodType(void.class, String.class))
          .invoke("INT");
    } catch (Throwable e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final AtomicInteger count = new AtomicInteger();
  private final Object previous;

  private Interrupts(Runnable first, Runnable second) {
    Object handler = Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER},
        (proxy, method, args) -> switch (method.getName()) {
          case "handle" -> {
            switch (count.incrementAndGet()) {
              case 1 -> first.run();
              case 2 -> second.run();
              default -> { }
            }
            yield null;
          }
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> "Interrupts";
        });
    Object old;
    try {
      old = handle(handler);
    } catch (IllegalArgumentException unavailable) {
      old = null; // SIGINT is ignored or reserved here: the runner's shutdown hook still stops agents
    }
    previous = old;
  }

  private static Object handle(Object handler) {
    try {
      return HANDLE.invoke(INT, handler);
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
      handle(previous);
    }
  }
}
