package dev.descartes.runner.testing;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.TemplateBackend;

/** Backends with a bug of the user's, for the tests that the runner still does its job. */
public final class BrokenBackends {
  private BrokenBackends() {}

  /**
   * A backend named {@code name} that runs {@code shellCommand} and whose stop sequence throws an
   * {@code AssertionError}.
   */
  public static AgentBackend stopSequenceThrows(String name, String shellCommand) {
    return TemplateBackend.builder(name)
        .command(Scripts.shell(shellCommand))
        .stopSequence(
            timeout -> {
              throw new AssertionError("stop sequence bug");
            })
        .build();
  }
}
