package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descartes run -f fleet.yaml}: named agents, prefixed output, the summary, the exit code.
 */
@ExtendWith(CliLeakCheck.class)
class FleetRunTest {

  @TempDir Path dir;

  @Test
  void theExampleFleetRunsToTheEndWithPrefixedLinesAndASummary() {
    Cli.Running r =
        Cli.run(Cli.examples().getParent(), Map.of(), "run", "-f", "examples/fleet.yaml");

    assertThat(r.exitCode()).as("every agent of the main job succeeds\n" + r).isZero();
    List<String> out = r.stdoutLines();
    for (String agent : List.of("researcher", "coder", "tester", "linter", "docs")) {
      assertThat(out).as(agent).anyMatch(l -> l.matches(agent + " +\\| .*"));
    }
    assertThat(out)
        .anyMatch(
            l -> l.matches("researcher +\\| Step 1 of 3: Survey the layout of the repository"));
    assertThat(out).anyMatch(l -> l.matches("linter +\\| lint: cli ok"));
    assertThat(out).anyMatch(l -> l.matches("AGENT +STATE +EXIT +TIME +COST +RESULT"));
    assertThat(out)
        .anyMatch(l -> l.matches("researcher +completed +0 +\\S+ +\\$0\\.0123 +Done: .*"));
    assertThat(out).anyMatch(l -> l.matches("tester +completed +0 +\\S+ +\\$0\\.0087 +Done: .*"));
    assertThat(out).anyMatch(l -> l.matches("linter +completed +0 .*"));
    assertThat(r.stderr()).containsPattern("linter +\\| lint: 1 warning");
    assertThat(r.stdout() + r.stderr()).doesNotContain("\u001b[").doesNotContain("\r");
  }

  @Test
  void theFailFastExampleStopsTheOthersWhenItsTesterFails() {
    Cli.Running r =
        Cli.run(Cli.examples().getParent(), Map.of(), "run", "-f", "examples/fail-fast.yaml");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    List<String> out = r.stdoutLines();
    assertThat(out)
        .anyMatch(l -> l.matches("tester +\\| .*2 tests failed \\(this agent fails on purpose\\)"))
        .anyMatch(l -> l.matches("tester +failed +1 +\\S+ +\\$0\\.0087 +2 tests failed.*"))
        .anyMatch(l -> l.matches("researcher +stopped .*"))
        .anyMatch(l -> l.matches("docs +stopped .*"));
    assertThat(r.stderr()).contains("agent 'tester' failed and failFast is set");
  }

  @Test
  void exitsZeroWhenEveryAgentCompletes() throws Exception {
    Path fleet =
        write(
            "ok.yaml",
            """
        agents:
          one:
            command: [%s]
            task: First job
            env: {STEPS: 1, DELAY: 0}
          two:
            command: "echo plain text from two"
        """
                .formatted(Cli.examples().resolve("agents/fake-agent.sh")));

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("two +\\| plain text from two"))
        .anyMatch(l -> l.matches("one +completed .*"))
        .anyMatch(l -> l.matches("two +completed .*"));
  }

  @Test
  void aFleetsRuntimeLimitStopsAnAgentAndTheSummarySaysWhichLimit() throws Exception {
    Path fleet =
        write(
            "limits.yaml",
            """
        limits: {timeout: 1s}
        agents:
          sleeper: {command: "sleep 30"}
          quick: {command: "echo done", limits: {timeout: 30s, memory: 256m}}
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stdoutLines())
        .as(r.toString())
        .anyMatch(l -> l.matches("sleeper +failed +.*runtime limit of 1 s reached.*"))
        .anyMatch(l -> l.matches("quick +completed .*"));
  }

  @Test
  void maxConcurrencyCapsHowManyAgentsRunAtOnce() throws Exception {
    // each agent holds a lock directory while it runs: a second one at the same time would fail
    String holdLock =
        "mkdir lock || { echo 'another agent is running'; exit 9; }; sleep 0.2; rmdir lock";
    Path fleet =
        write(
            "serial.yaml",
            """
        maxConcurrency: 1
        agents:
          first: {command: "%1$s", cwd: .}
          second: {command: "%1$s", cwd: .}
          third: {command: "%1$s", cwd: .}
        """
                .formatted(holdLock));

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).doesNotContain("another agent is running");
    assertThat(r.stderr()).contains("Running 3 agents from " + fleet + ", 1 at a time.");
  }

  @Test
  void failFastStopsTheOthersWhenOneFails() throws Exception {
    Path fleet =
        write(
            "failfast.yaml",
            """
        stop: {failFast: true, signal: terminate, timeout: 30s}
        agents:
          slow: {command: "echo slow is up; while :; do sleep 0.1; done"}
          broken: {command: "sleep 0.5; echo broken gives up; exit 3"}
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("broken +failed +3 .*"))
        .anyMatch(l -> l.matches("slow +stopped .*"));
    assertThat(r.stderr())
        .contains("agent 'broken' failed and failFast is set: stopping 1 agent gracefully");
  }

  @Test
  void readsTomlFleets() throws Exception {
    Path fleet =
        write(
            "fleet.toml",
            """
        maxConcurrency = 2
        [stop]
        timeout = "3s"
        [agents.alpha]
        command = "echo alpha in toml"
        [agents.beta]
        command = ["/bin/echo", "beta in toml"]
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines())
        .anyMatch(l -> l.matches("alpha +\\| alpha in toml"))
        .anyMatch(l -> l.matches("beta +\\| beta in toml"));
  }

  @Test
  void jsonFleetOutputIsPureJsonWithTheAgentName() throws Exception {
    Path fleet =
        write(
            "json.yaml",
            """
        agents:
          a: {command: "echo from a"}
          b: {command: "echo from b"}
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "--json", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines())
        .allMatch(l -> l.startsWith("{\"agent\":\"") && l.endsWith("}"))
        .anyMatch(
            l ->
                l.matches(
                    "\\{\"agent\":\"a\",\"type\":\"text\",\"at\":\"[^\"]+\",\"text\":\"from a\".*"))
        .anyMatch(
            l -> l.matches("\\{\"agent\":\"b\",\"type\":\"exited\",.*\"state\":\"completed\".*"));
    assertThat(r.stderr()).contains("AGENT", "STATE"); // the summary stays off stdout
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }
}
