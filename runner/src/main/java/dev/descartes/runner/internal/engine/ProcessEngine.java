package dev.descartes.runner.internal.engine;

/**
 * Starts processes and moves their bytes. The only place that knows how processes are created: the
 * JDK's {@code ProcessBuilder} ({@link JdkProcessEngine}) or Linux system calls through FFM ({@link
 * NativeProcessEngine}). Thread-safe.
 */
public interface ProcessEngine extends AutoCloseable {

  String name();

  /**
   * Starts a process in a new session and process group where the platform allows.
   *
   * @throws java.io.IOException if the operating system refused to start it
   */
  ChildProcess start(LaunchRequest request) throws java.io.IOException;

  /**
   * Whether {@link #start} may start a JVM thread on the calling thread (the JDK's process reaper):
   * a thread born while the caller is inside an agent's v1 cgroups is born there too.
   */
  default boolean startsThreads() {
    return true;
  }

  @Override
  void close();
}
