package dev.descartes.runner.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSandbox;
import java.time.Duration;

/**
 * Skips a test, with the reason, where this machine cannot make the sandbox it needs: the runner's
 * own {@link AgentException.SandboxUnavailable} says what is missing.
 */
public final class SandboxAssumptions {

  private SandboxAssumptions() {}

  /** Skips unless a sandbox with {@code network} can run {@code true} here. */
  public static void assumeSandbox(AgentSandbox.Network network) {
    String missing = null;
    try (var runner = TestRunners.runner()) {
      runner
          .spawn(
              AgentConfig.builder()
                  .name("probe")
                  .command("/bin/true")
                  .sandbox(AgentSandbox.builder().network(network).build())
                  .build())
          .waitFor(Duration.ofSeconds(30));
    } catch (AgentException.SandboxUnavailable e) {
      missing = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String why = missing;
    assumeTrue(why == null, () -> "this machine cannot make the sandbox: " + why);
  }
}
