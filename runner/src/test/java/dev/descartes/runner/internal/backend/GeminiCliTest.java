package dev.descartes.runner.internal.backend;

import dev.descartes.runner.testing.LeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real gemini CLI under the runner, against the fake model server (see {@link
 * AgentCliContract}).
 */
@ExtendWith(LeakCheck.class)
class GeminiCliTest extends AgentCliContract {

  @Override
  CliSetup cli() {
    return CliSetup.GEMINI;
  }
}
