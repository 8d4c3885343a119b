package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.internal.os.ProcSnapshots;
import dev.descartes.runner.internal.os.ProcStat;
import dev.descartes.runner.testing.TestRunners;
import dev.descartes.runner.testing.fakemodel.FakeModelServer;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every real CLI must do under the runner, against the fake model server: a one-shot task end
 * to end with normalized events and outcome, an API error reported as a failure whatever the exit
 * code, and kill and graceful stop during a running tool call leaving no process of the agent's
 * tree, the tool shell in its own session included. Subclasses name the CLI.
 */
abstract class AgentCliContract {

  /** Generous: the CLIs are node programs, and the machine may be shared and busy. */
  static final Duration AGENT_TIMEOUT = Duration.ofMinutes(6);

  @TempDir Path home;
  @TempDir Path work;

  FakeModelServer model;
  LocalProcessRunner runner;

  abstract CliSetup cli();

  @BeforeEach
  void start() {
    model = FakeModelServer.start(Reply.text("unused"));
    // Frequent health checks: the agent's tree (tool sessions included) is learned early.
    runner =
        TestRunners.runner(
            TestRunners.config()
                .allowListedEnvironment()
                .healthCheckInterval(Duration.ofMillis(500))
                .outputDrainTimeout(Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() {
    try {
      if (runner != null) {
        runner.close();
      }
    } finally {
      if (model != null) {
        model.close();
      }
    }
  }

  AgentConfig.Builder config() {
    return cli().config(home, work, model);
  }

  /** Every event of an agent that has ended, read through {@link AgentHandle#events()}. */
  static List<AgentEvent> events(AgentHandle h) {
    List<AgentEvent> events = new ArrayList<>();
    h.events().forEach(events::add);
    return events;
  }

  static ExitStatus awaitEnd(AgentHandle h) throws InterruptedException {
    Optional<ExitStatus> st = h.waitFor(AGENT_TIMEOUT);
    assertThat(st).as("agent ended within " + AGENT_TIMEOUT + "; stderr: " + stderr(h)).isPresent();
    return st.get();
  }

  static String stderr(AgentHandle h) {
    StringBuilder sb = new StringBuilder();
    Optional<byte[]> line;
    while ((line = h.readStderr()).isPresent()) {
      sb.append(new String(line.get(), StandardCharsets.UTF_8));
    }
    return sb.length() > 4000 ? sb.substring(sb.length() - 4000) : sb.toString();
  }

  static <T extends AgentEvent> List<T> of(List<AgentEvent> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void oneShotTaskRunsAToolAndReportsNormalizedEventsAndASuccessfulOutcome() throws Exception {
    model.script(Reply.shell("echo tool-output-4711")).afterToolText("All done: the answer is 42.");
    AgentHandle h =
        runner.spawn(config().task("Run the check and report.").autoApprove(true).build());

    awaitEnd(h);
    List<AgentEvent> events = events(h);

    AgentOutcome outcome = h.outcome().orElseThrow();
    assertThat(outcome.success()).as("outcome %s; stderr: %s", outcome, stderr(h)).isTrue();
    assertThat(outcome.errorKind()).isEmpty();
    assertThat(outcome.resultText())
        .hasValueSatisfying(t -> assertThat(t).contains("answer is 42"));
    assertThat(outcome.sessionId()).isPresent();
    assertThat(outcome.outputTokens()).isPositive();
    assertThat(events.getFirst()).isInstanceOf(AgentEvent.Started.class);
    assertThat(events.getLast()).isInstanceOf(AgentEvent.Exited.class);
    assertThat(of(events, AgentEvent.SessionStarted.class))
        .first()
        .satisfies(s -> assertThat(s.sessionId()).isEqualTo(outcome.sessionId().orElseThrow()));
    assertThat(of(events, AgentEvent.ToolCall.class))
        .anySatisfy(c -> assertThat(c.input().toString()).contains("tool-output-4711"));
    assertThat(of(events, AgentEvent.ToolResult.class))
        .anySatisfy(
            r -> {
              assertThat(r.output()).contains("tool-output-4711");
              assertThat(r.error()).isFalse();
            });
    assertThat(of(events, AgentEvent.AssistantText.class))
        .anySatisfy(t -> assertThat(t.text()).contains("answer is 42"));
    assertThat(of(events, AgentEvent.Usage.class)).isNotEmpty();
    assertThat(of(events, AgentEvent.Result.class))
        .last()
        .satisfies(
            r -> {
              assertThat(r.success()).isTrue();
              assertThat(r.raw().isObject()).isTrue();
            });
    assertThat(model.userTurns()).isNotEmpty();
  }

  @Test
  void apiErrorIsReportedAsAFailedOutcomeWhateverTheExitCode() throws Exception {
    model.script(Reply.error("fake quota exhausted for this key"));
    AgentHandle h = runner.spawn(config().task("Say hello.").build());

    ExitStatus exit = awaitEnd(h);
    List<AgentEvent> events = events(h);

    AgentOutcome outcome = h.outcome().orElseThrow();
    assertThat(outcome.success()).as("outcome %s", outcome).isFalse();
    assertThat(outcome.errorKind())
        .as("outcome %s", outcome)
        .contains(AgentOutcome.ErrorKind.API_ERROR);
    assertThat(outcome.errorMessage())
        .hasValueSatisfying(m -> assertThat(m).contains("fake quota exhausted"));
    assertThat(outcome.exitStatus()).isEqualTo(exit);
    assertThat(outcome.asException()).isPresent();
    assertThat(of(events, AgentEvent.Result.class))
        .last()
        .satisfies(r -> assertThat(r.success()).isFalse());
  }

  @Test
  void killDuringARunningToolCallLeavesNoProcessOfTheAgentTree() throws Exception {
    AgentHandle h = startLongToolCall();
    long toolPid = awaitToolProcess(h);

    h.kill();

    awaitEnd(h);
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    await().atMost(Duration.ofSeconds(30)).until(() -> gone(toolPid));
    assertThat(agentProcesses(h)).isEmpty();
    assertThat(h.outcome().orElseThrow().success()).isFalse();
  }

  @Test
  void gracefulStopDuringARunningToolCallLeavesNoProcessOfTheAgentTree() throws Exception {
    AgentHandle h = startLongToolCall();
    long toolPid = awaitToolProcess(h);

    h.stop(Duration.ofSeconds(10));

    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    await().atMost(Duration.ofSeconds(30)).until(() -> gone(toolPid));
    assertThat(agentProcesses(h)).isEmpty();
    AgentOutcome outcome = h.outcome().orElseThrow();
    assertThat(outcome.success()).isFalse();
    assertThat(outcome.errorKind())
        .as("outcome %s", outcome)
        .contains(AgentOutcome.ErrorKind.INTERRUPTED);
  }

  Path marker() {
    return work.resolve("tool-started");
  }

  AgentHandle startLongToolCall() {
    model.script(Reply.shell("echo started > " + marker() + "; sleep 300; echo finished"));
    return runner.spawn(config().task("Run the long job.").autoApprove(true).build());
  }

  /**
   * Waits until the tool runs, and returns the pid of its {@code sleep 300}, checked to be in a
   * session of its own.
   */
  long awaitToolProcess(AgentHandle h) {
    await().atMost(AGENT_TIMEOUT).until(() -> Files.exists(marker()) || h.status().isTerminal());
    assertThat(h.status().isTerminal()).as("agent still running; stderr: %s", stderr(h)).isFalse();
    long[] pid = new long[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (String[] p : agentProcesses(h)) {
                String cmd = p[2].trim();
                if (cmd.equals("sleep 300") || cmd.endsWith("/sleep 300")) {
                  pid[0] = Long.parseLong(p[0]);
                  assertThat(Long.parseLong(p[1]))
                      .as("the tool runs in a session of its own")
                      .isNotEqualTo(h.pid());
                  return true;
                }
              }
              return false;
            });
    return pid[0];
  }

  /** Whether the process is gone for good: exited and reaped (a zombie still counts as there). */
  static boolean gone(long pid) {
    return !Files.exists(Path.of("/proc", Long.toString(pid)));
  }

  /** The live processes carrying this agent's cookie, as {pid, session id, command line}. */
  static List<String[]> agentProcesses(AgentHandle h) {
    List<String[]> out = new ArrayList<>();
    for (ProcStat p : ProcSnapshots.fresh().withCookie("DESCARTES_AGENT_ID", h.id().toString())) {
      {
        try {
          String cmd =
              new String(
                      Files.readAllBytes(Path.of("/proc", Integer.toString(p.pid()), "cmdline")),
                      StandardCharsets.UTF_8)
                  .replace('\0', ' ');
          out.add(new String[] {Integer.toString(p.pid()), Integer.toString(p.sid()), cmd});
        } catch (IOException gone) {
          // exited while we looked
        }
      }
    }
    return out;
  }
}
