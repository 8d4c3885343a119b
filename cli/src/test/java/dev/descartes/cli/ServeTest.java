package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descartes.runner.testing.fakemodel.FakeModelServer;
import dev.descartes.runner.testing.fakemodel.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descartes serve} and its clients, as processes: the real jar, real signals, a real SQLite
 * file.
 */
@ExtendWith(CliLeakCheck.class)
class ServeTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;

  private Cli.Running serve(String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                data.toString(),
                "--stop-timeout",
                "3s"));
    args.addAll(List.of(extra));
    Cli.Running d = Cli.start(Cli.examples(), Map.of(), args.toArray(String[]::new));
    d.awaitStdout(s -> s.contains("dashboard"));
    return d;
  }

  private Cli.Running client(String... args) {
    return Cli.run(Cli.examples(), Map.of("DESCARTES_DATA_DIR", data.toString()), args);
  }

  private JsonNode history() throws Exception {
    Cli.Running h = client("history", "--json");
    assertThat(h.exitCode()).as(h.toString()).isZero();
    return JSON.readTree(h.stdout());
  }

  private static JsonNode run(JsonNode runs, String name) {
    for (JsonNode r : runs) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no run " + name + " in " + runs.toPrettyString());
  }

  @Test
  void serveRunsAFleetForItsClientsAndSigtermStopsTheAgentsAndRecordsTheirEnd() throws Exception {
    String secret = "hunter2-" + UUID.randomUUID();
    Cli.Running daemon = serve("--log-format", "json");
    assertThat(daemon.stdout()).contains("/login?token=");

    Cli.Running start = client("start", "-f", Cli.examples().resolve("fleet.yaml").toString());
    assertThat(start.exitCode()).as(start.toString()).isZero();
    assertThat(start.stdout()).contains("researcher", "docs  waiting for a slot");
    Cli.Running sleeper =
        client("start", "--name", "sleeper", "--command", "sleep 60", "-e", "API_KEY=" + secret);
    assertThat(sleeper.exitCode()).as(sleeper.toString()).isZero();

    Cli.Running logs = client("logs", "-f", "researcher");
    assertThat(logs.exitCode()).as(logs.toString()).isZero();
    assertThat(logs.stdoutLines())
        .contains("→ Bash  ls -1", "Done: Survey the layout of the repository", "✓ completed");

    Cli.Running ps = client("ps");
    assertThat(ps.stdout()).contains("sleeper", "running");
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> run(history(), "docs").path("status").asText().equals("completed"));
    assertThat(run(history(), "tester").path("status").asText()).isEqualTo("completed");

    Cli.Running bad = client("start", "--name", "x");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.stderr()).startsWith("descartes: ");

    daemon.process().destroy(); // SIGTERM
    assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).as(daemon.toString()).isTrue();
    assertThat(daemon.exitCode()).as(daemon.toString()).isZero();

    List<String> logLines = daemon.stderr().lines().toList();
    assertThat(logLines).isNotEmpty();
    boolean sawAgentLine = false;
    for (String l : logLines) {
      JsonNode line = JSON.readTree(l); // every line is one JSON object
      if (line.path("message").asText().startsWith("agent started")) {
        assertThat(line.path("agent_id").asText()).isNotBlank();
        assertThat(line.path("agent_name").asText()).isNotBlank();
        sawAgentLine = true;
      }
    }
    assertThat(sawAgentLine).isTrue();
    assertThat(daemon.stdout() + daemon.stderr()).doesNotContain(secret);

    Cli.Running again = serve();
    try {
      JsonNode sl = run(history(), "sleeper");
      assertThat(sl.path("status").asText()).isEqualTo("terminated");
      assertThat(sl.path("config").path("env").path("API_KEY").asText()).isEqualTo("<redacted>");
      assertThat(history().toString()).doesNotContain(secret);
    } finally {
      again.process().destroy();
      again.exitCode();
    }
  }

  @Test
  void afterASigkillOfTheDaemonARestartMarksTheRunsThatWereAliveLostAndLeavesNoAgentRunning()
      throws Exception {
    Cli.Running daemon = serve();
    assertThat(client("start", "--name", "quick", "--command", "echo hi").exitCode()).isZero();
    assertThat(
            client("start", "--name", "tree", "--command", "sleep 300 & sleep 300; wait")
                .exitCode())
        .isZero();
    assertThat(client("start", "--name", "single", "--command", "sleep 300").exitCode()).isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> run(history(), "quick").path("status").asText().equals("completed"));

    new ProcessBuilder("kill", "-KILL", Long.toString(daemon.process().pid())).start().waitFor();
    daemon.process().waitFor(10, TimeUnit.SECONDS);
    // Whether the agents die with their daemon depends on the runner's death watchdog; either way
    // the
    // restart below must find and kill whatever is left.
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
    List<ProcessHandle> survivors = CliLeakCheck.leaked();
    System.out.println(
        "agent processes alive after the daemon's SIGKILL, before the restart: "
            + survivors.size());

    Cli.Running again = serve();
    try {
      JsonNode runs = history();
      assertThat(run(runs, "quick").path("status").asText()).isEqualTo("completed");
      for (String name : List.of("tree", "single")) {
        JsonNode r = run(runs, name);
        assertThat(r.path("status").asText()).as(name).isEqualTo("lost");
        assertThat(r.path("lost_reason").asText()).as(name).contains("crash or SIGKILL");
      }
      Cli.Running ps = client("ps");
      assertThat(ps.stdout()).doesNotContain("tree").doesNotContain("single");
      long daemonPid = again.process().pid();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> CliLeakCheck.leaked().stream().allMatch(p -> p.pid() == daemonPid));
    } finally {
      again.process().destroy();
      again.exitCode();
    }
  }

  @Test
  void aFleetsStopAndFailFastAreAppliedWaitingAgentsAreListedAndEveryLogLineAboutAnAgentNamesIt(
      @TempDir Path fleetDir) throws Exception {
    String secret = "hunter2-" + UUID.randomUUID();
    java.nio.file.Files.writeString(
        fleetDir.resolve("fleet.yaml"),
        """
        maxConcurrency: 2
        stop:
          signal: terminate
          timeout: 1s
          failFast: true
        agents:
          stubborn:
            command: "trap '' TERM INT; echo ready; while :; do sleep 0.1; done"
            env: {API_KEY: %s}
          failer:
            command: "while [ ! -f go ]; do sleep 0.1; done; echo boom >&2; exit 3"
          never:
            command: "echo never"
        """
            .formatted(secret));
    Cli.Running daemon = serve("--log-format", "json");
    try {
      fleetStopAndFailFast(daemon, fleetDir, secret);
    } finally {
      daemon.process().destroy();
      daemon.process().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void fleetStopAndFailFast(Cli.Running daemon, Path fleetDir, String secret)
      throws Exception {
    Cli.Running start = client("start", "-f", fleetDir.resolve("fleet.yaml").toString());
    assertThat(start.exitCode()).as(start.toString()).isZero();
    assertThat(start.stdout()).contains("never  waiting for a slot");

    Cli.Running ps = client("ps");
    assertThat(ps.stdoutLines())
        .anySatisfy(l -> assertThat(l).startsWith("never").contains("waiting"))
        .anySatisfy(l -> assertThat(l).startsWith("stubborn").contains("running"));
    Cli.Running psJson = client("ps", "--json");
    assertThat(JSON.readTree(psJson.stdout()).toString())
        .contains("\"name\":\"never\"", "\"status\":\"waiting\"");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> client("logs", "stubborn").stdout().contains("ready"));

    java.nio.file.Files.writeString(fleetDir.resolve("go"), "");
    // failFast: failer fails, stubborn gets the fleet's SIGTERM, ignores it, SIGKILL after 1 s
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> run(history(), "stubborn").path("status").asText().equals("terminated"));
    JsonNode runs = history();
    assertThat(run(runs, "failer").path("status").asText()).isEqualTo("failed");
    assertThat(runs.toString()).doesNotContain("\"never\"");
    assertThat(client("ps").stdout()).doesNotContain("never");
    String stubbornId = run(runs, "stubborn").path("id").asText();
    String failerId = run(runs, "failer").path("id").asText();

    daemon.process().destroy();
    assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).as(daemon.toString()).isTrue();
    boolean sawLibraryLine = false;
    boolean sawFailFast = false;
    for (String l : daemon.stderr().lines().toList()) {
      assertThat(l).doesNotContain(secret);
      JsonNode line = JSON.readTree(l);
      String message = line.path("message").asText();
      boolean aboutAnAgent =
          List.of("stubborn", "failer", stubbornId, failerId).stream().anyMatch(message::contains)
              || message.startsWith("agent ")
              || message.startsWith("stopping (");
      if (aboutAnAgent) {
        assertThat(line.path("agent_id").asText()).as(l).isIn(stubbornId, failerId);
        assertThat(line.path("agent_name").asText()).as(l).isIn("stubborn", "failer");
        assertThat(line.path("agent_name").asText().equals("stubborn"))
            .as(l)
            .isEqualTo(line.path("agent_id").asText().equals(stubbornId));
      }
      if (line.path("logger_name").asText().startsWith("dev.descartes.runner")
          && message.contains("still running after its stop sequence")) {
        assertThat(line.path("agent_name").asText()).isEqualTo("stubborn");
        sawLibraryLine = true;
      }
      if (message.contains("failFast")) {
        assertThat(line.path("agent_name").asText()).isEqualTo("failer");
        sawFailFast = true;
      }
    }
    assertThat(sawLibraryLine).as(daemon.stderr()).isTrue();
    assertThat(sawFailFast).as(daemon.stderr()).isTrue();
  }

  @Test
  void sendGivesAMultiTurnClaudeSessionItsNextTurnAndLogsShowTheAnswer(
      @TempDir Path home, @TempDir Path work) throws Exception {
    Path bin = Cli.examples().getParent().resolve("target/agent-clis/claude/node_modules/.bin");
    Assumptions.assumeTrue(
        Files.isExecutable(bin.resolve("claude")),
        "claude is not installed: run scripts/install-agent-clis.sh claude");
    try (FakeModelServer model = FakeModelServer.start(Reply.echo())) {
      Cli.Running daemon = serve();
      try {
        Cli.Running start =
            client(
                "start",
                "--name",
                "chat",
                "--backend",
                "claude",
                "--multi-turn",
                "--cwd",
                work.toString(),
                "-e",
                "PATH=" + bin + ":" + System.getenv("PATH"),
                "-e",
                "HOME=" + home,
                "-e",
                "TMPDIR=" + home, // claude's claude-<uid>/ goes with HOME
                "-e",
                "ANTHROPIC_BASE_URL=" + model.baseUrl(),
                "-e",
                "ANTHROPIC_API_KEY=fake-key",
                "-e",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
                "-e",
                "IS_SANDBOX=1", // lets --dangerously-skip-permissions run as root
                "first question");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> client("logs", "chat").stdout().contains("echo: first question"));

        Cli.Running send = client("send", "chat", "second question");
        assertThat(send.exitCode()).as(send.toString()).isZero();
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> client("logs", "chat").stdout().contains("echo: second question"));
        assertThat(client("ps").stdout()).contains("chat", "running");

        Cli.Running stop = client("stop", "chat");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        Cli.Running logs = client("logs", "-f", "chat");
        assertThat(logs.stdout())
            .containsSubsequence("echo: first question", "echo: second question");
      } finally {
        daemon.process().destroy();
        daemon.process().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
