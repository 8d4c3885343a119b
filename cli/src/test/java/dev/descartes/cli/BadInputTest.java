package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input of every kind: one clear line on stderr, exit code 2, nothing started, no stack trace. */
@ExtendWith(CliLeakCheck.class)
class BadInputTest {

  @TempDir
  Path dir;

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, fleet file (or null), arguments (FLEET = the file), what the line must say
        Arguments.of("unknown backend", null, List.of("run", "--backend", "nope", "do it"),
            "descartes: unknown backend 'nope'; known backends: claude, opencode"),
        Arguments.of("missing CLI", null, List.of("run", "--backend", "claude", "do it"),
            "descartes: the claude backend needs the 'claude' program, which is not on PATH; install it with "
                + "'npm install -g @anthropic-ai/claude-code'"),
        Arguments.of("missing generic CLI", null, List.of("run", "--backend", "no-such-program-cli", "do it"),
            "descartes: the no-such-program-cli backend needs the 'no-such-program' program"),
        Arguments.of("bad flag", null, List.of("run", "--bogus", "do it"),
            "descartes: Unknown option: '--bogus' (see 'descartes run --help')"),
        Arguments.of("unknown command", null, List.of("walk"),
            "descartes: Unmatched argument at index 0: 'walk'"),
        Arguments.of("nothing to run", null, List.of("run"), "descartes: nothing to run: give a task"),
        Arguments.of("bad env", null, List.of("run", "-e", "NOEQUALS", "do it"),
            "descartes: Value for option '--env' (KEY=VALUE) should be in KEY=VALUE format but was NOEQUALS"),
        Arguments.of("bad duration", null, List.of("run", "--stop-timeout", "soon", "do it"),
            "descartes: Invalid value for option '--stop-timeout': 'soon' is not a duration"),
        Arguments.of("json and raw", null, List.of("run", "--json", "--raw", "do it"),
            "descartes: Error: --json, --raw are mutually exclusive"),
        Arguments.of("task and file", "agents: {a: {command: 'true'}}\n", List.of("run", "-f", "FLEET", "task"),
            "descartes: give a task or a fleet file (-f), not both"),
        Arguments.of("single-agent flag with a file", "agents: {a: {command: 'true'}}\n",
            List.of("run", "-f", "FLEET", "--model", "x"), "descartes: --model applies to a single agent"),
        Arguments.of("missing fleet file", null, List.of("run", "-f", "nowhere.yaml"),
            "descartes: nowhere.yaml: no such fleet file"),
        Arguments.of("malformed YAML", "agents:\n  a:\n    command: [echo\n  b: {\n", List.of("run", "-f", "FLEET"),
            "descartes: FLEET:4:4: invalid YAML: expected ',' or ']'"),
        Arguments.of("unknown field", "agents:\n  web:\n    bakend: claude\n    task: x\n", List.of("run", "-f", "FLEET"),
            "descartes: FLEET:3:13: agents.web: unknown field 'bakend'; known fields: backend, command, context,"),
        Arguments.of("wrong type", "maxConcurrency: many\nagents: {a: {command: 'true'}}\n", List.of("run", "-f", "FLEET"),
            "descartes: FLEET:1:17: maxConcurrency: 'many' is not a whole number"),
        Arguments.of("bad stop timeout", "stop:\n  timeout: soon\nagents: {a: {command: 'true'}}\n",
            List.of("run", "-f", "FLEET"), "descartes: FLEET:2:12: stop.timeout: 'soon' is not a duration"),
        Arguments.of("bad stop signal", "stop: {signal: HUP}\nagents: {a: {command: 'true'}}\n",
            List.of("run", "-f", "FLEET"), "descartes: FLEET:1:16: stop.signal: 'HUP' is not a stop signal"),
        Arguments.of("duplicate agent", "agents:\n  a: {command: 'true'}\n  a: {command: 'false'}\n",
            List.of("run", "-f", "FLEET"), "descartes: FLEET:3:4: duplicate key 'a'"),
        Arguments.of("agent without task", "agents:\n  lazy:\n    backend: claude\n", List.of("run", "-f", "FLEET"),
            "descartes: FLEET:3:5: agent 'lazy': needs a 'task'"),
        Arguments.of("agent with neither", "agents:\n  empty: {model: x}\n", List.of("run", "-f", "FLEET"),
            "descartes: FLEET:2:10: agent 'empty': needs a 'backend'"),
        Arguments.of("no agents", "maxConcurrency: 2\n", List.of("run", "-f", "FLEET"),
            "descartes: FLEET: no agents"),
        Arguments.of("unknown backend in fleet", "agents:\n  a: {backend: nope, task: x}\n", List.of("run", "-f", "FLEET"),
            "descartes: FLEET: agent 'a': unknown backend 'nope'"),
        Arguments.of("missing command in fleet", "agents:\n  a: {command: [./not-there.sh]}\n",
            List.of("run", "-f", "FLEET"), "descartes: FLEET: agent 'a': command '"),
        Arguments.of("missing cwd in fleet", "agents:\n  a: {command: 'true', cwd: nowhere}\n",
            List.of("run", "-f", "FLEET"), "descartes: FLEET:2:6: agent 'a': cwd "),
        Arguments.of("bad memory limit", "limits: {memory: lots}\nagents: {a: {command: 'true'}}\n",
            List.of("run", "-f", "FLEET"), "descartes: FLEET:1:18: limits.memory: 'lots' is not a size"),
        Arguments.of("limit out of range", "agents:\n  a: {command: 'true', limits: {cpus: 0}}\n",
            List.of("run", "-f", "FLEET"), "descartes: FLEET:2:6: agent 'a': limits.cpus: must be between 0.01 and 4096 cores"),
        Arguments.of("bad memory flag", null, List.of("run", "--memory", "lots", "do it"),
            "descartes: Invalid value for option '--memory': 'lots' is not a size"),
        Arguments.of("malformed TOML", null, List.of("run", "-f", "TOML"), "descartes: TOML:2:"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oneClearLineAndExitCode2(String name, String fleet, List<String> args, String expected) throws Exception {
    Path file = dir.resolve("fleet.yaml");
    Path toml = dir.resolve("fleet.toml");
    if (fleet != null) {
      Files.writeString(file, fleet);
    }
    Files.writeString(toml, "[agents.a]\ncommand = = \"x\"\n");
    List<String> argv = new ArrayList<>();
    for (String a : args) {
      argv.add(a.equals("FLEET") ? file.toString() : a.equals("TOML") ? toml.toString() : a);
    }
    // a PATH with the basic tools only: no agent CLI is installed there
    Cli.Running r = Cli.run(dir, Map.of("PATH", "/usr/bin:/bin"), argv.toArray(String[]::new));

    String want = expected.replace("FLEET", file.toString()).replace("TOML", toml.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.stderr().lines().toList()).as(r.toString()).hasSize(1);
    assertThat(r.stderr()).startsWith(want).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.stdout()).isEmpty();
  }
}
