package dev.descartes.runner.internal.engine;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.Warnings;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the process engine for a runner. {@code AUTO} is the native engine on Linux x86_64 and
 * aarch64 when the JVM grants native access, and the JDK engine otherwise; falling back on Linux
 * logs one warning per JVM (the one from {@link Native} when native access is what is missing).
 */
public final class Engines {

  private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private Engines() {}

  public static ProcessEngine create(ProcessRunnerConfig.Engine kind) {
    return switch (kind) {
      case JDK -> new JdkProcessEngine();
      case NATIVE -> {
        Optional<String> reason = NativeProcessEngine.unavailableReason();
        if (reason.isPresent()) {
          throw new AgentException.InvalidConfig(
              "engine",
              "the native Linux engine cannot run here: "
                  + reason.get()
                  + "; use Engine.AUTO or Engine.JDK, or launch the JVM with "
                  + "--enable-native-access=dev.descartes.runner (module path) or ALL-UNNAMED (class path)");
        }
        try {
          yield new NativeProcessEngine();
        } catch (IOException e) {
          throw new AgentException.Execution(
              "the native Linux engine could not start its event loop: "
                  + e.getMessage()
                  + "; raise the open-file limit, or use Engine.JDK",
              e);
        }
      }
      case AUTO -> auto();
    };
  }

  private static ProcessEngine auto() {
    Optional<String> reason = NativeProcessEngine.unavailableReason();
    if (reason.isEmpty()) {
      try {
        return new NativeProcessEngine();
      } catch (IOException e) {
        warnOnce("the native engine could not start its event loop (" + e.getMessage() + ")");
        return new JdkProcessEngine();
      }
    }
    // Off Linux the JDK engine is the expected one; without native access Native has already
    // warned.
    if (Platform.isLinux() && Native.available()) {
      warnOnce("the native engine cannot run here (" + reason.get() + ")");
    }
    return new JdkProcessEngine();
  }

  private static void warnOnce(String why) {
    if (WARNED.compareAndSet(false, true)) {
      Warnings.warn(
          LOG,
          "Descartes runner: "
              + why
              + "; falling back to the JDK process engine (3 platform"
              + " threads per agent).");
    }
  }
}
