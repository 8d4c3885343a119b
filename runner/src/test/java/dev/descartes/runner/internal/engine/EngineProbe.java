package dev.descartes.runner.internal.engine;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;

/**
 * Run in a JVM of its own by {@link EngineSelectionTest}: prints the engine that {@code AUTO}
 * picks, the exit of one agent run with it, and what asking for {@code NATIVE} gives.
 */
public final class EngineProbe {

  private EngineProbe() {}

  public static void main(String[] args) throws Exception {
    try (LocalProcessRunner runner =
        new LocalProcessRunner(ProcessRunnerConfig.builder().shutdownHook(false).build())) {
      System.out.println("auto=" + runner.engineName());
      System.out.println(
          "agent="
              + runner
                  .spawn(AgentConfig.builder().command("/bin/sh", "-c", "exit 3").build())
                  .waitFor());
    }
    try (LocalProcessRunner runner =
        new LocalProcessRunner(
            ProcessRunnerConfig.builder()
                .shutdownHook(false)
                .engine(ProcessRunnerConfig.Engine.NATIVE)
                .build())) {
      System.out.println("native=" + runner.engineName());
    } catch (AgentException.InvalidConfig e) {
      System.out.println("native=refused " + e.field());
    }
  }
}
