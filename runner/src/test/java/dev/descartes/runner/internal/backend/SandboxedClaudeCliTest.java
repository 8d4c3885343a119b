package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.AgentSandbox.Endpoint;
import dev.descartes.runner.AgentSandbox.Network;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.SandboxAssumptions;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real claude CLI in a sandbox whose network reaches only the fake model server's port: the
 * whole {@link AgentCliContract} (a tool call with its events and outcome, an API error, kill and
 * graceful stop during a running tool with no survivor), and a tool that cannot write outside the
 * working directory nor reach another port of the host.
 */
@ExtendWith(LeakCheck.class)
class SandboxedClaudeCliTest extends AgentCliContract {

  @BeforeAll
  static void sandboxesWorkHere() {
    SandboxAssumptions.assumeSandbox(Network.allow(new Endpoint("127.0.0.1", 9)));
  }

  @Override
  CliSetup cli() {
    return CliSetup.CLAUDE;
  }

  @Override
  AgentConfig.Builder config() {
    return super.config()
        .sandbox(
            AgentSandbox.builder()
                .network(Network.allow(new Endpoint("127.0.0.1", model.port())))
                .build());
  }

  @Test
  void aToolCallRunsConfinedToTheWorkingDirectoryAndTheModelsPort() throws Exception {
    model
        .script(
            Reply.shell(
                "echo in-work > note.txt && cat note.txt; "
                    + "touch /usr/planted 2>/dev/null && echo wrote-usr || echo usr-read-only; "
                    + "(exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && echo reached-22 || echo port-22-unreachable"))
        .afterToolText("Checked.");
    AgentHandle h = runner.spawn(config().task("Run the check.").autoApprove(true).build());

    awaitEnd(h);
    List<AgentEvent> events = events(h);

    assertThat(h.outcome().orElseThrow().success()).as("stderr: %s", stderr(h)).isTrue();
    assertThat(of(events, AgentEvent.ToolResult.class))
        .anySatisfy(
            r ->
                assertThat(r.output())
                    .contains("in-work", "usr-read-only", "port-22-unreachable")
                    .doesNotContain("wrote-usr", "reached-22"));
    assertThat(work.resolve("note.txt")).hasContent("in-work");
  }
}
