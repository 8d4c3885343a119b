package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real claude CLI in a Podman container, against the fake model server on the host's loopback
 * (host network): the whole {@link AgentCliContract}, so normalized events, the outcome, kill and
 * graceful stop during a running tool call behave as for a local claude, and leave no process. The
 * image is the test's own (the host's {@code /usr} mounted read-only, with node); the CLI's {@code
 * node_modules} and the agent's home are bind-mounted at the same paths.
 */
@ExtendWith(LeakCheck.class)
class ClaudeInContainerTest extends AgentCliContract {

  @Override
  CliSetup cli() {
    return CliSetup.CLAUDE;
  }

  @Override
  AgentConfig.Builder config() {
    AgentConfig.Builder b = super.config();
    Path modules = AgentClis.binDir("claude").getParent();
    return b.name("claude-in-container")
        .container(
            ContainerSpec.builder(TestImages.hostUsrImage())
                .mount(ContainerSpec.Mount.readOnly(java.nio.file.Path.of("/usr")))
                .mount(modules, modules.toString(), true)
                .mount(home, home.toString(), false)
                .network(ContainerSpec.Network.HOST)
                .build());
  }

  @AfterAll
  static void removeImage() {
    TestImages.remove();
  }
}
