package dev.descartes.example;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import java.time.Duration;
import java.util.List;

/**
 * The runner's tour in one program: spawns several agents, streams their output, signals one, and
 * shuts them all down gracefully. The agents are small shell scripts, so it runs anywhere without
 * API keys: one speaks Claude Code's stream-json, one writes plain text and stops cleanly on
 * SIGINT, one ignores SIGTERM (and is killed after the timeout), one fails.
 */
public final class AgentRunnerExample {

  private static final String RESEARCHER =
      """
      echo '{"type":"system","subtype":"init","session_id":"demo-1","model":"demo"}'
      for topic in transformers agents tooling; do
        sleep 0.3
        echo "{\\"type\\":\\"assistant\\",\\"message\\":{\\"content\\":[{\\"type\\":\\"text\\",\\"text\\":\\"notes on $topic\\"}]}}"
      done
      echo '{"type":"result","subtype":"success","is_error":false,"result":"3 topics","total_cost_usd":0.0}'
      """;

  private static final String WRITER =
      """
      trap 'echo "writer: interrupted, saving the draft"; exit 0' INT
      i=0
      while :; do i=$((i+1)); echo "writer: paragraph $i"; sleep 0.2; done
      """;

  private static final String STUBBORN =
      """
      trap 'echo "stubborn: ignoring SIGTERM"' TERM
      while :; do sleep 0.25; done
      """;

  private static final String FAILING =
      """
      echo "checker: looking for the config" >&2
      sleep 0.4
      echo "checker: config not found" >&2
      exit 3
      """;

  private AgentRunnerExample() {}

  public static void main(String[] args) throws Exception {
    ProcessRunnerConfig config =
        ProcessRunnerConfig.builder()
            .maxConcurrentAgents(8)
            .healthCheckInterval(Duration.ofMillis(500))
            .shutdownTimeout(Duration.ofSeconds(2))
            .build();
    try (var runner = new LocalProcessRunner(config)) {
      runner.onEvent(
          e -> print(runner.getHandle(e.agentId()).map(h -> h.config().name()).orElse("?"), e));
      AgentHandle researcher = spawn(runner, "researcher", RESEARCHER);
      AgentHandle writer = spawn(runner, "writer", WRITER);
      AgentHandle stubborn = spawn(runner, "stubborn", STUBBORN);
      AgentHandle checker = spawn(runner, "checker", FAILING);
      checker
          .stderr()
          .poll(Duration.ofSeconds(5))
          .ifPresent(l -> System.out.println("[checker] stderr: " + l.text()));

      writer.stdout().poll(Duration.ofSeconds(5));
      writer.stdout().poll(Duration.ofSeconds(5));
      System.out.println("--- sending SIGINT to writer");
      runner.signal(writer.id(), AgentSignal.INTERRUPT);

      researcher.waitFor();
      checker.waitFor();
      writer.waitFor();
      table("while running", runner.listAgents());

      System.out.println("--- graceful shutdown of the rest (SIGTERM, 2 s, SIGKILL)");
      runner.shutdown(Duration.ofSeconds(2));
      table("after shutdown", runner.listAgents());
      if (stubborn.status().isLive()) {
        throw new IllegalStateException("stubborn should have been stopped");
      }
    }
  }

  private static AgentHandle spawn(LocalProcessRunner runner, String name, String script) {
    return runner.spawn(
        AgentConfig.builder().name(name).command(List.of("/bin/sh", "-c", script)).build());
  }

  private static void print(String name, AgentEvent e) {
    String text =
        switch (e) {
          case AgentEvent.Started s -> "started, pid " + s.pid();
          case AgentEvent.Json j -> j.type() + " " + summary(j);
          case AgentEvent.RawLine r -> r.text();
          case AgentEvent.Gap g -> "(missed " + g.missedLines() + " lines)";
          case AgentEvent.Exited x -> "exited: " + x.exitStatus() + ", " + x.status();
          case AgentEvent.SessionStarted s ->
              "session " + s.sessionId() + s.model().map(m -> ", model " + m).orElse("");
          case AgentEvent.AssistantText t -> t.text();
          case AgentEvent.ToolCall c -> "tool " + c.name() + " " + c.input();
          case AgentEvent.ToolResult r ->
              (r.error() ? "tool failed: " : "tool result: ") + r.output();
          case AgentEvent.Usage u ->
              "usage: " + u.inputTokens() + " in, " + u.outputTokens() + " out";
          case AgentEvent.Result r -> (r.success() ? "result: " : "failed: ") + r.text();
        };
    synchronized (System.out) {
      System.out.printf("[%-10s] %s%n", name, text);
    }
  }

  private static String summary(AgentEvent.Json j) {
    var json = j.json();
    if (json.has("result")) {
      return "-> " + json.get("result").asText();
    }
    var content = json.path("message").path("content");
    return content.isArray() && !content.isEmpty()
        ? content.get(0).path("text").asText()
        : json.path("session_id").asText("");
  }

  private static void table(String title, List<AgentInfo> agents) {
    System.out.println("--- agents " + title);
    System.out.printf(
        "%-10s %-10s %-10s %8s %6s %6s%n", "NAME", "STATUS", "EXIT", "UPTIME", "OUT", "ERR");
    for (AgentInfo a : agents) {
      System.out.printf(
          "%-10s %-10s %-10s %7.1fs %6d %6d%n",
          a.name(),
          a.status(),
          a.exitStatus().map(Object::toString).orElse("-"),
          a.metrics().uptime().toMillis() / 1000.0,
          a.metrics().stdoutLines(),
          a.metrics().stderrLines());
    }
  }
}
