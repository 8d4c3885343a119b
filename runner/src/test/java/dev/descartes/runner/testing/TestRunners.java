package dev.descartes.runner.testing;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import java.util.Locale;

/**
 * Runners for tests. The engine comes from the system property {@code descartes.engine} ({@code
 * auto}, {@code jdk} or {@code native}), so the same suite runs against every engine. No shutdown
 * hook: each test closes its runner.
 */
public final class TestRunners {

  private TestRunners() {}

  public static ProcessRunnerConfig.Engine engine() {
    return ProcessRunnerConfig.Engine.valueOf(
        System.getProperty("descartes.engine", "auto").toUpperCase(Locale.ROOT));
  }

  /** A config builder with the engine under test and no shutdown hook. */
  public static ProcessRunnerConfig.Builder config() {
    return ProcessRunnerConfig.builder().engine(engine()).shutdownHook(false);
  }

  public static LocalProcessRunner runner() {
    return runner(config());
  }

  /** A runner that records the ids of the agents it spawns, for {@link LeakCheck}. */
  public static LocalProcessRunner runner(ProcessRunnerConfig.Builder builder) {
    LocalProcessRunner runner = new LocalProcessRunner(builder.build());
    runner.onEvent(
        e -> {
          if (e instanceof AgentEvent.Started) {
            LeakCheck.recordAgent(e.agentId().toString());
          }
        });
    return runner;
  }
}
