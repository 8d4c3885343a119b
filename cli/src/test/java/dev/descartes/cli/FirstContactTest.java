package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a newcomer meets first, through the real {@code descartes} process: every bad input gives
 * its {@code sysexits} exit code and exactly one line on stderr per problem, {@code descartes:
 * where: what is wrong; how to fix it}, with nothing started, no stack trace and no process left.
 * The cases of issue 16 come first, then thirty-odd more bad inputs, each with the line it gets.
 * Cases run four at a time (this class alone), each in its own folder, as a descartes process of
 * its own.
 */
class FirstContactTest {

  /** One run of descartes: its files, its arguments, and what it must answer. */
  static final class Case {
    final String name;
    final int exit;
    final String expected;
    final List<String> args;
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final Map<String, String> env = new HashMap<>();
    int lines = 1;
    String stdout;
    boolean asNobody;
    String chmod000;
    final List<String> executables = new ArrayList<>();

    Case(String name, int exit, String expected, String... args) {
      this.name = name;
      this.exit = exit;
      this.expected = expected;
      this.args = List.of(args);
    }

    Case file(String path, String text) {
      files.put(path, text.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Case bytes(String path, byte[] content) {
      files.put(path, content);
      return this;
    }

    /** A script in the case's folder, on PATH first. */
    Case program(String name, String script) {
      file("bin/" + name, "#!/bin/sh\n" + script);
      executables.add("bin/" + name);
      return this;
    }

    Case env(String k, String v) {
      env.put(k, v);
      return this;
    }

    /** As many lines on stderr, one per problem, each starting with {@code descartes: }. */
    Case lines(int n) {
      lines = n;
      return this;
    }

    /** A success: stdout contains this, and {@link #expected} is what stderr contains (or ""). */
    Case stdout(String text) {
      stdout = text;
      return this;
    }

    /** The file may not be read (descartes runs as nobody when the tests run as root). */
    Case unreadable(String path) {
      chmod000 = path;
      asNobody = true;
      return this;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final String FAKE = Cli.examples().resolve("agents/fake-agent.sh").toString();
  private static final String TASK_128K = "x".repeat(128 * 1024);
  private static final String OK_AGENT = "agents:\n  a: {command: \"true\"}\n";

  static Stream<Case> cases() {
    return Stream.of(
        // ---- the cases of issue 16 ----
        new Case(
                "fleet file not UTF-8",
                65,
                "descartes: fleet.yaml:2:6: the file is not UTF-8 text (byte 0xE9 at line 2); save it as UTF-8, e.g. iconv",
                "run",
                "-f",
                "fleet.yaml")
            .bytes(
                "fleet.yaml",
                "agents:\n  caf\u00e9: {command: \"true\"}\n"
                    .getBytes(StandardCharsets.ISO_8859_1)),
        new Case(
                "fleet file not readable",
                66,
                "descartes: fleet.yaml: the file cannot be read: permission denied; make it readable (chmod u+r fleet.yaml)",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", OK_AGENT)
            .unreadable("fleet.yaml"),
        new Case(
                "bad YAML indentation",
                65,
                "descartes: fleet.yaml:4:6: bad indentation: this line is indented differently from the lines it belongs"
                    + " with (the mapping starts at line 3, column 5); indent the keys of one mapping",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a:\n    command: \"true\"\n     task: x\n"),
        new Case("descartes version", 0, "", "version").stdout("descartes "),
        new Case(
            "task that starts with -",
            64,
            "descartes: '-n hi' looks like an option but is not one; a task that starts with '-' goes after '--':"
                + " descartes run -- '-n hi'",
            "run",
            "-n hi"),
        new Case(
                "task that starts with - after --",
                0,
                "",
                "run",
                "--backend",
                "echo-cli",
                "--",
                "-n hi")
            .stdout("-- -n hi"),
        new Case(
                "number too large",
                65,
                "descartes: fleet.yaml:1:17: maxConcurrency: 99999999999999999999 is too large: the most is 10000; give the"
                    + " most agents to run at once",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "maxConcurrency: 99999999999999999999\n" + OK_AGENT),
        new Case(
                "--max-concurrency 0 names the flag",
                64,
                "descartes: --max-concurrency: 0 is too small: the least is 1; give the most agents to run at once, such as"
                    + " --max-concurrency 4",
                "run",
                "--max-concurrency",
                "0",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", OK_AGENT),
        new Case(
                "every missing CLI at once, with file:line:column",
                69,
                "descartes: fleet.yaml:2:25: agent 'a': the claude backend needs the 'claude' program, which is not on PATH;"
                    + " install it with 'npm install -g @anthropic-ai/claude-code'",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml",
                "agents:\n  a: {task: x, backend: claude}\n  b: {backend: codex, task: y}\n"
                    + "  c: {backend: nope-cli, task: z}\n")
            .lines(3),
        new Case(
                "unknown backend with file:line:column",
                65,
                "descartes: fleet.yaml:4:14: agent 'b': unknown backend 'nope'; use one of claude, opencode, codex, gemini,"
                    + " qwen, or '<program>-cli'",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", OK_AGENT + "  b:\n    backend: nope\n    task: x\n"),
        new Case(
                "missing command with file:line:column",
                69,
                "descartes: fleet.yaml:2:16: agent 'a': the command's program 'DIR/not-there.sh' does not exist or is not"
                    + " executable; fix the path",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: [./not-there.sh]}\n"),
        new Case(
                "every problem of every agent at once",
                65,
                "descartes: fleet.yaml:1:17: maxConcurrency: 2.5 is not a whole number;",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml",
                "maxConcurrency: 2.5\nagents:\n  a: {command: \"\"}\n  b: {backend: claude, task: x,"
                    + " bakend: 1}\n  c: {backend: nope, task: y}\n  d: {command: [./missing.sh]}\n")
            .lines(5),
        new Case(
                "128 KiB task for a backend that takes it as an argument",
                65,
                "descartes: fleet.yaml:4:11: agent 'big': the task is 128 KiB, over the 128 KiB Linux allows in one argument,"
                    + " and the echo-cli backend passes it as one; use a backend that sends it on stdin",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml",
                "agents:\n  big:\n    backend: echo-cli\n    task: " + TASK_128K + "\n"),
        new Case(
                "128 KiB task for a command",
                65,
                "descartes: fleet.yaml:4:11: agent 'big': the task is 128 KiB, over the 128 KiB Linux allows in one"
                    + " environment variable, and a command gets its task in DESCARTES_TASK; put the text in a file",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  big:\n    command: cat\n    task: " + TASK_128K + "\n"),
        new Case(
                "limits.memory: lots",
                65,
                "descartes: fleet.yaml:1:18: limits.memory: 'lots' is not a size; write it like 512m, 2g or 1.5GiB",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "limits: {memory: lots}\n" + OK_AGENT),
        new Case(
                "an agent's limits.cpus: 0",
                65,
                "descartes: fleet.yaml:2:39: agents.a.limits.cpus: 0 is out of range; give the cores the agent may use",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: \"true\", limits: {cpus: 0}}\n"),
        new Case(
            "--memory not a size",
            64,
            "descartes: --memory: 'lots' is not a size; write it like 512m, 2g",
            "run",
            "--memory",
            "lots",
            "x"),
        new Case(
                "maxConcurrency: 2.5",
                65,
                "descartes: fleet.yaml:1:17: maxConcurrency: 2.5 is not a whole number; give the most agents to run at once",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "maxConcurrency: 2.5\n" + OK_AGENT),
        new Case(
                "command: \"\"",
                65,
                "descartes: fleet.yaml:3:14: agents.a.command: is empty; give a list of arguments, program first",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a:\n    command: \"\"\n"),
        new Case(
                "a second YAML document",
                65,
                "descartes: fleet.yaml:4:1: a second YAML document (after a '---' line); a fleet file holds one; remove the"
                    + " '---' line",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", OK_AGENT + "---\nagents: {}\n"),
        new Case(
                "10 MB fleet file refused before it is read",
                65,
                "descartes: fleet.yaml: the file is 10.0 MiB, over the 1 MiB a fleet file may have; split the fleet into"
                    + " several files",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", OK_AGENT + "#" + "x".repeat(10 * 1024 * 1024) + "\n"),
        new Case(
                "Running 1 agent",
                0,
                "Running 1 agent from fleet.yaml. Ctrl+C stops it.",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  solo: {command: \"echo solo is done\"}\n")
            .stdout("solo | solo is done"),
        new Case(
                "run --help keeps --cwd ../app on one line, and lists the exit codes",
                0,
                "",
                "run",
                "--help")
            .stdout("--cwd ../app \"Fix the failing test\""),
        new Case("--help lists the exit codes", 0, "", "--help").stdout("  64   usage error"),
        new Case(
                "--json: the agent's stderr lines carry its name",
                0,
                "{\"agent\":\"noisy\",\"type\":\"stderr\"",
                "run",
                "--json",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  noisy: {command: \"echo oops >&2\"}\n")
            .stdout("\"type\":\"exited\""),
        new Case(
                "--auto-approve and -- extra arguments reach the CLI",
                0,
                "",
                "run",
                "--backend",
                "claude",
                "--auto-approve",
                "the task",
                "--",
                "--max-turns",
                "3")
            .program(
                "claude",
                "echo \"{\\\"type\\\":\\\"result\\\",\\\"subtype\\\":\\\"success\\\",\\\"is_error\\\":false,"
                    + "\\\"result\\\":\\\"args: $*\\\"}\"")
            .stdout("--dangerously-skip-permissions --max-turns 3"),
        new Case(
                "autoApprove: and args: in a fleet file reach the CLI",
                0,
                "",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml",
                "agents:\n  q:\n    backend: qwen\n    task: hi\n    autoApprove: true\n"
                    + "    args: [--auth-type, openai]\n")
            .program(
                "qwen",
                "echo \"{\\\"type\\\":\\\"result\\\",\\\"subtype\\\":\\\"success\\\",\\\"is_error\\\":false,"
                    + "\\\"result\\\":\\\"args: $*\\\"}\"")
            .stdout("args: -o stream-json --yolo --auth-type openai"),

        // ---- thirty-odd more bad inputs ----
        new Case(
            "unknown command",
            64,
            "descartes: unknown command 'walk'; the commands are run, backends, ",
            "walk"),
        new Case(
            "misspelt command", 64, "descartes: unknown command 'rnu'; did you mean run?", "rnu"),
        new Case(
            "unknown option",
            64,
            "descartes: unknown option '--bogus'; see 'descartes run --help'",
            "run",
            "--bogus",
            "x"),
        new Case(
            "nothing to run",
            64,
            "descartes: nothing to run; give a task (descartes run \"fix the failing test\")",
            "run"),
        new Case(
            "--env without =",
            64,
            "descartes: --env: 'NOEQUALS' is not KEY=VALUE; write it like --env"
                + " LOG_LEVEL=debug",
            "run",
            "-e",
            "NOEQUALS",
            "x"),
        new Case(
            "--env with a bad name",
            64,
            "descartes: --env: '1X' is not a variable name; use letters, digits and"
                + " '_', not starting with a digit",
            "run",
            "-e",
            "1X=y",
            "x"),
        new Case(
            "--stop-timeout not a duration",
            64,
            "descartes: --stop-timeout: 'soon' is not a duration; write it"
                + " like 500ms, 5s or 1m30s",
            "run",
            "--stop-timeout",
            "soon",
            "x"),
        new Case(
            "--stop-timeout too long",
            64,
            "descartes: --stop-timeout: 2h is too long; write it like",
            "run",
            "--stop-timeout",
            "2h",
            "x"),
        new Case(
            "--json and --raw",
            64,
            "descartes: --json and --raw cannot be used together",
            "run",
            "--json",
            "--raw",
            "x"),
        new Case(
                "a task and a fleet file",
                64,
                "descartes: a task ('do it') and a fleet file (-f) were both given;" + " give one",
                "run",
                "-f",
                "fleet.yaml",
                "do it")
            .file("fleet.yaml", OK_AGENT),
        new Case(
                "a single-agent flag with a fleet file",
                64,
                "descartes: --model: applies to a single agent; with -f,"
                    + " set it on each agent in fleet.yaml",
                "run",
                "-f",
                "fleet.yaml",
                "--model",
                "x")
            .file("fleet.yaml", OK_AGENT),
        new Case(
                "extra CLI arguments with a fleet file",
                64,
                "descartes: --: extra CLI arguments apply to a single"
                    + " agent; with -f, set args: on each agent",
                "run",
                "-f",
                "fleet.yaml",
                "--",
                "--x")
            .file("fleet.yaml", OK_AGENT),
        new Case(
                "--max-concurrency not a number",
                64,
                "descartes: --max-concurrency: 'x' is not a whole number; give"
                    + " the most agents",
                "run",
                "--max-concurrency",
                "x",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", OK_AGENT),
        new Case(
            "--max-concurrency for one agent",
            64,
            "descartes: --max-concurrency: applies to fleet files (-f),"
                + " and this run has one agent; leave it out",
            "run",
            "--max-concurrency",
            "2",
            "x"),
        new Case(
            "--backend without a value",
            64,
            "descartes: --backend: needs a value; give one right after" + " it",
            "run",
            "--backend"),
        new Case(
            "--backend empty",
            64,
            "descartes: --backend: is empty; give a value, or leave --backend out",
            "run",
            "--backend",
            "",
            "x"),
        new Case(
            "--name not a plain name",
            64,
            "descartes: --name: 'my agent' is not a plain name; use letters," + " digits",
            "run",
            "--name",
            "my agent",
            "--backend",
            "echo-cli",
            "x"),
        new Case(
            "--context-file missing",
            66,
            "descartes: --context-file: context file notes.md does not exist; check" + " the path",
            "run",
            "--context-file",
            "notes.md",
            "x"),
        new Case(
            "--context-file a directory",
            66,
            "descartes: --context-file: context file . is a directory, not a"
                + " context file; give the path of a context file",
            "run",
            "--context-file",
            ".",
            "x"),
        new Case(
                "--context-file not UTF-8",
                65,
                "descartes: --context-file: context file notes.md is not UTF-8 text"
                    + " (it is UTF-16); save it as UTF-8",
                "run",
                "--context-file",
                "notes.md",
                "x")
            .bytes("notes.md", new byte[] {(byte) 0xFF, (byte) 0xFE, 'h', 0, 'i', 0}),
        new Case(
            "--cwd missing",
            66,
            "descartes: --cwd: folder DIR/nowhere does not exist; create it (mkdir -p"
                + " DIR/nowhere) or fix the path",
            "run",
            "--cwd",
            "nowhere",
            "x"),
        new Case(
            "--auto-approve with a backend that has none",
            64,
            "descartes: --auto-approve: the echo-cli backend has"
                + " no auto-approve mode; pass that CLI's own flag after '--'",
            "run",
            "--backend",
            "echo-cli",
            "--auto-approve",
            "x"),
        new Case(
            "--backend unknown",
            64,
            "descartes: --backend: unknown backend 'nope'; use one of claude",
            "run",
            "--backend",
            "nope",
            "x"),
        new Case(
            "the default backend's CLI missing",
            69,
            "descartes: the claude backend needs the 'claude' program,"
                + " which is not on PATH; install it with 'npm install -g @anthropic-ai/claude-code'",
            "run",
            "x"),
        new Case(
            "fleet file missing",
            66,
            "descartes: nowhere.yaml: no such fleet file; check the path",
            "run",
            "-f",
            "nowhere.yaml"),
        new Case(
            "fleet file a directory",
            66,
            "descartes: .: the file is a directory, not a fleet file; give the path"
                + " of a fleet file",
            "run",
            "-f",
            "."),
        new Case(
            "fleet file endless (/dev/zero)",
            65,
            "descartes: /dev/zero: the file is over the 1 MiB a fleet file"
                + " may have; split the fleet",
            "run",
            "-f",
            "/dev/zero"),
        new Case(
                "fleet file empty",
                65,
                "descartes: fleet.yaml: the file is empty; add an 'agents:' section",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "# nothing yet\n"),
        new Case(
                "fleet file a list",
                65,
                "descartes: fleet.yaml:1:1: the file is a list, not a mapping; write a mapping"
                    + " with agents:",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "- a\n- b\n"),
        new Case(
                "misspelt top-level field",
                65,
                "descartes: fleet.yaml:1:1: unknown field 'maxConcurency' in a fleet"
                    + " file; did you mean 'maxConcurrency'?",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "maxConcurency: 2\n" + OK_AGENT),
        new Case(
                "misspelt agent field",
                65,
                "descartes: fleet.yaml:3:5: unknown field 'bakend' in agent 'web'; did you"
                    + " mean 'backend'?",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  web:\n    bakend: claude\n" + "    task: x\n"),
        new Case(
                "duplicate agent",
                65,
                "descartes: fleet.yaml:3:3: duplicate key 'a' (first at line 2); each key may"
                    + " appear once",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", OK_AGENT + "  a: {command: \"false\"}\n"),
        new Case(
                "backend and command",
                65,
                "descartes: fleet.yaml:2:3: agent 'a' has both backend: and command:; keep"
                    + " one",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml", "agents:\n  a: {backend: claude, task: x," + " command: \"true\"}\n"),
        new Case(
                "neither backend nor command",
                65,
                "descartes: fleet.yaml:2:3: agent 'a' has neither backend: nor"
                    + " command:; add backend: claude",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {task: x}\n"),
        new Case(
                "backend without task",
                65,
                "descartes: fleet.yaml:2:3: agent 'lazy' has no task:; add task: with the"
                    + " prompt for its claude agent",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  lazy:\n    backend: claude\n"),
        new Case(
                "context and contextFile",
                65,
                "descartes: fleet.yaml:2:58: agents.a.contextFile: given with context:;"
                    + " keep one",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml",
                "agents:\n  a: {backend: claude, task: x, context: y, contextFile: notes.md}\n")
            .file("notes.md", "notes\n"),
        new Case(
                "contextFile missing",
                66,
                "descartes: fleet.yaml:2:46: context file DIR/notes.md does not exist; check the path",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml", "agents:\n  a: {backend: claude, task: x, contextFile: notes.md}\n"),
        new Case(
                "cwd missing",
                66,
                "descartes: fleet.yaml:2:29: cwd DIR/nowhere does not exist; create it (mkdir -p DIR/nowhere)",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: \"true\", cwd: nowhere}\n"),
        new Case(
                "env a list",
                65,
                "descartes: fleet.yaml:2:29: agents.a.env: is a list, not a mapping of names to"
                    + " values; write env: as a mapping",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: \"true\", env: [A=1]}\n"),
        new Case(
                "env with a bad name",
                65,
                "descartes: fleet.yaml:2:30: agents.a.env: 'LOG-LEVEL' is not a variable"
                    + " name; use letters, digits and '_'",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: \"true\", env: {LOG-LEVEL: x}}\n"),
        new Case(
                "autoApprove not a boolean",
                65,
                "descartes: fleet.yaml:2:46: agents.a.autoApprove: 'always' is not"
                    + " true or false; write autoApprove: true",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {backend: claude, task: x, autoApprove: always}\n"),
        new Case(
                "args not a list",
                65,
                "descartes: fleet.yaml:2:39: agents.a.args: is a string, not a list; write"
                    + " args: as a list",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {backend: claude, task: x, args: --fast}\n"),
        new Case(
                "args on a command",
                65,
                "descartes: fleet.yaml:2:30: agents.a.args: applies to a backend's CLI, and"
                    + " this agent runs a command:; remove it, or add the arguments to the command",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: \"true\", args: [--fast]}\n"),
        new Case(
                "stop signal unknown",
                65,
                "descartes: fleet.yaml:1:16: stop.signal: 'HUP' is not a stop signal; use"
                    + " interrupt (SIGINT) or terminate (SIGTERM)",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "stop: {signal: HUP}\n" + OK_AGENT),
        new Case(
                "stop timeout out of range",
                65,
                "descartes: fleet.yaml:1:17: stop.timeout: 3h is out of range; write"
                    + " it like 500ms",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "stop: {timeout: 3h}\n" + OK_AGENT),
        new Case(
                "failFast not a boolean",
                65,
                "descartes: fleet.yaml:1:18: stop.failFast: 'maybe' is not true or" + " false",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "stop: {failFast: maybe}\n" + OK_AGENT),
        new Case(
                "a tab in the indentation",
                65,
                "descartes: fleet.yaml:3:1: a tab character; YAML indents with spaces"
                    + " only; replace the tab with spaces",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a:\n\tcommand: \"true\"\n"),
        new Case(
                "an unclosed quote",
                65,
                "descartes: fleet.yaml:3:1: a quoted string that is not closed (the quote"
                    + " opens at line 2, column 16); close the quote",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: \"true}\n"),
        new Case(
                "an unclosed [",
                65,
                "descartes: fleet.yaml:2:25: a '[' that is not closed (the list starts at line 2, column 16); close it with ']'",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: [echo, hi}\n"),
        new Case(
                "a YAML alias",
                65,
                "descartes: fleet.yaml:3:16: a YAML alias (*cmd) is not supported in a fleet file;"
                    + " write the value out",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: &cmd \"true\"}\n  b: {command: *cmd}\n"),
        new Case(
                "agent name with a space",
                65,
                "descartes: fleet.yaml:2:3: the agent name 'my agent' is not a plain"
                    + " name; use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit), such as"
                    + " my-agent",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  my agent: {command: \"true\"}\n"),
        new Case(
                "maxConcurrency: 0",
                65,
                "descartes: fleet.yaml:1:17: maxConcurrency: 0 is too small: the least is 1;"
                    + " give the most agents",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "maxConcurrency: 0\n" + OK_AGENT),
        new Case(
                "TOML syntax error",
                65,
                "descartes: fleet.toml:2:11: invalid TOML: Unknown token; fix the syntax"
                    + " at this place (TOML: key = \"value\", [agents.name] tables)",
                "run",
                "-f",
                "fleet.toml")
            .file("fleet.toml", "[agents.a]\ncommand = = \"x\"\n"),
        new Case(
                "TOML value of the wrong kind, with its line",
                65,
                "descartes: fleet.toml:1:18: maxConcurrency: 2.5 is"
                    + " not a whole number; give the most agents",
                "run",
                "-f",
                "fleet.toml")
            .file("fleet.toml", "maxConcurrency = 2.5\n[agents.a]\ncommand = \"true\"\n"),
        new Case(
                "a command that is not executable",
                69,
                "descartes: fleet.yaml:2:16: agent 'a': the command's program"
                    + " 'DIR/run.sh' does not exist or is not executable; fix the path (relative to the fleet file's folder), or"
                    + " chmod +x DIR/run.sh",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: [./run.sh]}\n")
            .file("run.sh", "#!/bin/sh\n"),
        new Case(
                "command: []",
                65,
                "descartes: fleet.yaml:2:16: agents.a.command: is an empty list; give a list of"
                    + " arguments, program first",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: []}\n"),
        new Case(
                "agents: {}",
                65,
                "descartes: fleet.yaml:1:9: agents is empty; write each agent under agents: as"
                    + " 'name:' with its settings indented below",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents: {}\n"),
        new Case(
                "an agent's field indented as an agent",
                65,
                "descartes: fleet.yaml:4:3: 'task:' stands where an"
                    + " agent's name goes, but it is an agent's field; indent it under the agent",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a:\n    backend: claude\n  task: x\n"),
        new Case(
                "a variable too long for Linux",
                65,
                "descartes: fleet.yaml:2:29: agent 'a': the variable BIG is"
                    + " 200 KiB, over the 128 KiB Linux allows in one; put the value in a file",
                "run",
                "-f",
                "fleet.yaml")
            .file(
                "fleet.yaml",
                "agents:\n  a: {command: \"true\", env: {BIG: " + "y".repeat(200 * 1024) + "}}\n"),
        new Case(
                "model on a command",
                65,
                "descartes: fleet.yaml:2:31: agents.a.model: applies to a backend's CLI,"
                    + " and this agent runs a command:; remove it",
                "run",
                "-f",
                "fleet.yaml")
            .file("fleet.yaml", "agents:\n  a: {command: \"true\", model: sonnet}\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Execution(
      ExecutionMode
          .CONCURRENT) // the cases run a few at a time; the class runs alone, like the others
  void answersWithItsExitCodeAndOneLinePerProblem(Case c) throws Exception {
    Path dir = Files.createTempDirectory("descartes-first-contact");
    try {
      List<String> argv = prepare(c, dir);
      String marker = UUID.randomUUID().toString();
      Map<String, String> env = new HashMap<>(Cli.env(c.env));
      env.put(
          "PATH",
          dir.resolve("bin") + ":/usr/bin:/bin"); // no agent CLI, but the case's own programs
      env.put("DESCARTES_FIRST_CONTACT_CASE", marker);
      env.put(
          CliLeakCheck.MARKER_NAME,
          marker); // not the mark CliLeakCheck looks for in the other classes
      Cli.Running r = Cli.launch(dir, argv, env);
      int exit = r.exitCode();

      assertThat(exit).as(r.toString()).isEqualTo(c.exit);
      assertThat(r.stderr()).as(r.toString()).doesNotContain("Exception").doesNotContain("\tat ");
      if (c.stdout == null) {
        List<String> lines = r.stderr().lines().toList();
        assertThat(lines)
            .as(r.toString())
            .hasSize(c.lines)
            .allMatch(l -> l.startsWith("descartes: ") && l.contains("; "));
        assertThat(lines.getFirst())
            .as(r.toString())
            .startsWith(c.expected.replace("DIR", dir.toString()));
        assertThat(r.stdout()).as(r.toString()).isEmpty();
      } else {
        assertThat(r.stdout()).as(r.toString()).contains(c.stdout);
        assertThat(r.stderr()).as(r.toString()).contains(c.expected);
      }
      assertThat(CliLeakCheck.leaked("DESCARTES_FIRST_CONTACT_CASE", marker))
          .as("processes left")
          .isEmpty();
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static List<String> prepare(Case c, Path dir) throws IOException {
    Files.createDirectories(dir.resolve("bin"));
    for (Map.Entry<String, byte[]> f : c.files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
    }
    for (String x : c.executables) {
      Files.setPosixFilePermissions(dir.resolve(x), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    List<String> argv = new ArrayList<>(Cli.command(c.args.toArray(String[]::new)));
    if (c.chmod000 != null) {
      Files.setPosixFilePermissions(
          dir.resolve(c.chmod000), PosixFilePermissions.fromString("---------"));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      if (c.asNobody && "root".equals(System.getProperty("user.name"))) { // root may read anything
        argv.addAll(0, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
      }
    }
    return argv;
  }
}
