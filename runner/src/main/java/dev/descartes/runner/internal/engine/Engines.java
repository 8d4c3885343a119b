package dev.descartes.runner.internal.engine;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.ProcessRunnerConfig;

/** Picks the process engine for a runner. */
public final class Engines {

  private Engines() {}

  public static ProcessEngine create(ProcessRunnerConfig.Engine kind) {
    return switch (kind) {
      case AUTO, JDK -> new JdkProcessEngine();
      case NATIVE -> throw new AgentException.InvalidConfig("engine",
          "the native Linux engine is not available in this build; use Engine.JDK or Engine.AUTO");
    };
  }
}
