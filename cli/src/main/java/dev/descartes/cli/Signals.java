package dev.descartes.cli;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;

/**
 * Handlers for the JVM's signals ({@code sun.misc.Signal}, module {@code jdk.unsupported}), reached
 * through method handles: a compile-time reference draws an "internal proprietary API" warning that
 * no {@code @SuppressWarnings} silences, and the build fails on warnings. Thread-safe.
 */
final class Signals {

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
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Signals() {}

  /**
   * Runs {@code action} on the JVM's signal thread for every {@code signal} ("INT", "TERM", "HUP")
   * from now on, instead of the JVM's own handling.
   *
   * @throws IllegalArgumentException if the signal is ignored (nohup, a background job) or reserved
   *     here (-Xrs)
   */
  static void handle(String signal, Runnable action) {
    Object handler =
        Proxy.newProxyInstance(
            HANDLER.getClassLoader(),
            new Class<?>[] {HANDLER},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "handle" -> {
                    action.run();
                    yield null;
                  }
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> "handler of SIG" + signal;
                });
    try {
      HANDLE.invoke(NEW_SIGNAL.invoke(signal), handler);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
