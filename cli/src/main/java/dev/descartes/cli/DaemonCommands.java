package dev.descartes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that talk to a running {@code descartes serve}: {@code ps}, {@code start}, {@code
 * logs}, {@code stop}, {@code kill}, {@code send}, {@code history}. Each one sends one or a few API
 * requests (docs/api.md) and prints the answer.
 */
final class DaemonCommands {

  private DaemonCommands() {}

  private static final Theme PLAIN = Theme.of(false, true);

  static void table(String[] header, List<String[]> rows) {
    Table.render(header, rows, PLAIN, 200, (r, c, cell) -> cell).forEach(System.out::println);
  }

  static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : "";
  }

  static String cost(JsonNode n, String field) {
    return n.hasNonNull(field) ? Durations.cost(n.get(field).asDouble()) : "";
  }

  static String mib(JsonNode n) {
    return n.hasNonNull("rss_bytes")
        ? String.format("%.1fM", n.get("rss_bytes").asLong() / 1048576.0)
        : "";
  }

  /** {@code descartes ps}. */
  @Command(name = "ps", mixinStandardHelpOptions = true, description = "Lists the daemon's agents.")
  static final class Ps implements Callable<Integer> {
    @Mixin DaemonClient daemon;

    @Option(names = "--json", description = "Print the API's JSON.")
    boolean json;

    @Override
    public Integer call() {
      JsonNode all = daemon.get("/api/agents");
      JsonNode agents = all.path("agents");
      if (json) {
        var out = DaemonClient.MAPPER.createArrayNode().addAll((ArrayNode) agents);
        all.path("waiting").forEach(out::add);
        System.out.println(out.toPrettyString());
        return ExitCodes.OK;
      }
      List<String[]> rows = new ArrayList<>();
      for (JsonNode a : agents) {
        rows.add(
            new String[] {
              text(a, "name"),
              text(a, "status"),
              text(a, "activity"),
              text(a, "backend"),
              text(a, "pid"),
              Durations.format(Duration.ofMillis(a.path("uptime_ms").asLong())),
              a.hasNonNull("cpu_seconds")
                  ? String.format("%.2fs", a.get("cpu_seconds").asDouble())
                  : "",
              mib(a),
              cost(a, "cost_usd"),
              text(a, "id")
            });
      }
      for (JsonNode w : all.path("waiting")) {
        rows.add(
            new String[] {
              text(w, "name"), "waiting", "", text(w, "backend"), "", "", "", "", "", ""
            });
      }
      table(
          new String[] {
            "NAME", "STATUS", "ACTIVITY", "BACKEND", "PID", "UPTIME", "CPU", "MEM", "COST", "ID"
          },
          rows);
      return ExitCodes.OK;
    }
  }

  /** {@code descartes start}. */
  @Command(
      name = "start",
      sortOptions = false,
      mixinStandardHelpOptions = true,
      description = {
        "Starts agents under the daemon: a fleet file (-f), or one agent.",
        "  descartes start -f fleet.yaml",
        "  descartes start --name reviewer --backend claude \"Review the last commit\"",
        "  descartes start --name build --command \"make test\""
      })
  static final class Start implements Callable<Integer> {
    @Mixin DaemonClient daemon;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FLEET",
        description = "A fleet file (YAML, or TOML by its .toml ending).")
    Path file;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "The agent's name (default: the backend's).")
    String name;

    @Option(
        names = {"-b", "--backend"},
        paramLabel = "BACKEND",
        description = "The backend (claude, opencode, codex, ...).")
    String backend;

    @Option(
        names = "--command",
        paramLabel = "SHELL",
        description = "A command run by sh -c instead of a backend.")
    String command;

    @Option(
        names = {"-m", "--model"},
        paramLabel = "MODEL",
        description = "The model.")
    String model;

    @Option(
        names = "--cwd",
        paramLabel = "DIR",
        description = "The working directory (default: this one).")
    Path cwd;

    @Option(
        names = {"-e", "--env"},
        paramLabel = "KEY=VALUE",
        description = "An environment variable; repeatable.")
    Map<String, String> env;

    @Option(
        names = "--multi-turn",
        description = "Keep the conversation open for 'descartes send' (claude, qwen).")
    boolean multiTurn;

    @Parameters(paramLabel = "TASK", arity = "0..*", description = "The task (prompt).")
    List<String> task;

    @Override
    public Integer call() {
      if (file != null) {
        if (backend != null || command != null || task != null) {
          throw InputError.usage(
              "-f",
              "a fleet file and one agent's settings were both given",
              "give either a fleet file (-f) or one agent (--backend and a task, or --command)");
        }
        Problems problems = new Problems();
        Fleet fleet = FleetFile.read(file, problems);
        problems.throwIfAny();
        ObjectNode body = DaemonClient.MAPPER.createObjectNode();
        body.put("dir", file.toAbsolutePath().getParent().toString());
        fleet.maxConcurrency().ifPresent(n -> body.put("maxConcurrency", n));
        ObjectNode stop = body.putObject("stop");
        stop.put("timeout", fleet.stop().timeout().toMillis() + "ms");
        fleet.stop().signal().ifPresent(g -> stop.put("signal", g.name().toLowerCase(Locale.ROOT)));
        stop.put("failFast", fleet.stop().failFast());
        ObjectNode agents = body.putObject("agents");
        fleet.agents().forEach(a -> agents.set(a.name(), spec(a, false)));
        JsonNode r = daemon.post("/api/fleets", body);
        for (JsonNode a : r.path("agents")) {
          System.out.println(text(a, "name") + "  " + text(a, "status") + "  " + text(a, "id"));
        }
        for (JsonNode q : r.path("queued")) {
          System.out.println(q.asText() + "  waiting for a slot (maxConcurrency)");
        }
        return ExitCodes.OK;
      }
      if ((backend == null) == (command == null)) {
        throw InputError.usage(
            "",
            "nothing to start",
            "give a fleet file (-f), or one agent: --backend B \"task\", or --command \"...\"");
      }
      String t = task == null ? null : String.join(" ", task);
      if (backend != null && (t == null || t.isBlank())) {
        throw InputError.usage(
            "TASK",
            "a " + backend + " agent needs a task",
            "descartes start --backend " + backend + " \"...\"");
      }
      ObjectNode body = DaemonClient.MAPPER.createObjectNode();
      body.put("name", name != null ? name : backend != null ? backend : "command");
      if (backend != null) {
        body.put("backend", backend).put("task", t);
      } else {
        body.put("command", command);
        if (t != null) {
          body.put("task", t);
        }
      }
      if (model != null) {
        body.put("model", model);
      }
      body.put("cwd", (cwd == null ? Path.of("") : cwd).toAbsolutePath().normalize().toString());
      if (env != null) {
        ObjectNode e = body.putObject("env");
        env.forEach(e::put);
      }
      if (multiTurn) {
        body.put("multiTurn", true);
      }
      JsonNode a = daemon.post("/api/agents", body);
      System.out.println(text(a, "name") + "  " + text(a, "status") + "  " + text(a, "id"));
      return ExitCodes.OK;
    }

    /** The API's AgentSpec for a config read from a fleet file (paths already resolved). */
    static ObjectNode spec(AgentConfig c, boolean withName) {
      ObjectNode n = DaemonClient.MAPPER.createObjectNode();
      if (withName) {
        n.put("name", c.name());
      }
      if (c.command().isEmpty()) {
        n.put("backend", c.modelBackend()).put("task", c.task());
      } else {
        ArrayNode argv = n.putArray("command");
        c.command().forEach(argv::add);
      }
      c.model().ifPresent(m -> n.put("model", m));
      c.systemPrompt().ifPresent(m -> n.put("systemPrompt", m));
      c.context().ifPresent(m -> n.put("context", m));
      c.workingDir().ifPresent(d -> n.put("cwd", d.toAbsolutePath().toString()));
      if (!c.environment().isEmpty()) {
        ObjectNode e = n.putObject("env");
        c.environment().forEach(e::put);
      }
      if (c.multiTurn()) {
        n.put("multiTurn", true);
      }
      return n;
    }
  }

  /** {@code descartes logs}. */
  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = "Shows an agent's output as 'descartes run' does; -f follows it until it ends.")
  static final class Logs implements Callable<Integer> {
    @Mixin DaemonClient daemon;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep following until the agent ends.")
    boolean follow;

    @Option(names = "--json", description = "Print the events as JSON lines.")
    boolean json;

    @Parameters(paramLabel = "NAME|ID", description = "The agent.")
    String agent;

    @Override
    public Integer call() {
      daemon.stream(
          "/api/agents/" + DaemonClient.enc(agent) + "/events" + (follow ? "" : "?follow=false"),
          e -> {
            if (json) {
              System.out.println(e.toString());
            } else if (e.path("type").asText().equals("gap")) {
              System.out.println(
                  "● " + e.path("missed_events").asLong() + " events no longer held");
            } else if (e.hasNonNull("line")) {
              System.out.println(e.get("line").asText());
            }
            System.out.flush();
          });
      return ExitCodes.OK;
    }
  }

  /** What {@code stop} and {@code kill} act on: agents by name or id, or all. */
  static final class Targets {
    @Parameters(paramLabel = "NAME|ID", arity = "1..*", description = "The agents.")
    List<String> agents;

    @Option(names = "--all", required = true, description = "Every live agent of the daemon.")
    boolean all;
  }

  static List<String> targets(DaemonClient daemon, Targets t) {
    if (!t.all) {
      return t.agents;
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode a : daemon.get("/api/agents").path("agents")) {
      if (List.of("starting", "running", "paused", "stopping")
          .contains(a.path("status").asText())) {
        ids.add(a.get("id").asText());
      }
    }
    return ids;
  }

  /** {@code descartes stop}. */
  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stops agents gracefully (the backend's stop sequence, SIGKILL after the timeout).")
  static final class Stop implements Callable<Integer> {
    @Mixin DaemonClient daemon;

    @ArgGroup(multiplicity = "1")
    Targets targets;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        converter = RunCommand.StopTimeout.class,
        description = "Time to stop before SIGKILL (default: the daemon's --stop-timeout).")
    Duration timeout;

    @Override
    public Integer call() {
      for (String a : targets(daemon, targets)) {
        ObjectNode body = DaemonClient.MAPPER.createObjectNode();
        if (timeout != null) {
          body.put("timeout", timeout.toMillis() + "ms");
        }
        JsonNode r = daemon.post("/api/agents/" + DaemonClient.enc(a) + "/stop", body);
        System.out.println(text(r, "name") + "  stopping");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code descartes kill}. */
  @Command(
      name = "kill",
      mixinStandardHelpOptions = true,
      description = "SIGKILL to agents' whole process trees.")
  static final class Kill implements Callable<Integer> {
    @Mixin DaemonClient daemon;

    @ArgGroup(multiplicity = "1")
    Targets targets;

    @Override
    public Integer call() {
      for (String a : targets(daemon, targets)) {
        JsonNode r =
            daemon.post(
                "/api/agents/" + DaemonClient.enc(a) + "/kill",
                DaemonClient.MAPPER.createObjectNode());
        System.out.println(text(r, "name") + "  killed");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code descartes send}. */
  @Command(
      name = "send",
      mixinStandardHelpOptions = true,
      description =
          "Sends a message to a multi-turn agent (or, with --stdin, writes a line to its stdin).")
  static final class Send implements Callable<Integer> {
    @Mixin DaemonClient daemon;

    @Option(
        names = "--stdin",
        description = "Write the text and a newline to the agent's stdin instead.")
    boolean stdin;

    @Option(names = "--close", description = "With --stdin: close the agent's stdin afterwards.")
    boolean close;

    @Parameters(index = "0", paramLabel = "NAME|ID", description = "The agent.")
    String agent;

    @Parameters(index = "1..*", paramLabel = "TEXT", arity = "1..*", description = "The message.")
    List<String> text;

    @Override
    public Integer call() {
      String t = String.join(" ", text);
      String path = "/api/agents/" + DaemonClient.enc(agent);
      if (stdin) {
        daemon.post(
            path + "/stdin",
            DaemonClient.MAPPER.createObjectNode().put("data", t + "\n").put("close", close));
      } else {
        daemon.post(path + "/message", DaemonClient.MAPPER.createObjectNode().put("text", t));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code descartes history}. */
  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "Lists the daemon's recorded runs, newest first.")
  static final class History implements Callable<Integer> {
    @Mixin DaemonClient daemon;

    @Option(names = "--name", paramLabel = "NAME")
    String name;

    @Option(
        names = "--status",
        paramLabel = "STATUS",
        description = "completed, failed, terminated, lost, running...")
    String status;

    @Option(names = "--backend", paramLabel = "BACKEND")
    String backend;

    @Option(names = "--limit", paramLabel = "N")
    int limit = 50;

    @Option(names = "--json", description = "Print the API's JSON.")
    boolean json;

    @Override
    public Integer call() {
      StringBuilder q = new StringBuilder("/api/history?limit=").append(limit);
      if (name != null) {
        q.append("&name=").append(DaemonClient.enc(name));
      }
      if (status != null) {
        q.append("&status=").append(DaemonClient.enc(status));
      }
      if (backend != null) {
        q.append("&backend=").append(DaemonClient.enc(backend));
      }
      JsonNode runs = daemon.get(q.toString()).path("runs");
      if (json) {
        System.out.println(runs.toPrettyString());
        return ExitCodes.OK;
      }
      List<String[]> rows = new ArrayList<>();
      for (JsonNode r : runs) {
        String exit =
            r.hasNonNull("exit_code")
                ? r.get("exit_code").asText()
                : r.hasNonNull("exit_signal") ? "sig " + r.get("exit_signal").asText() : "";
        String why =
            !text(r, "lost_reason").isEmpty()
                ? text(r, "lost_reason")
                : !text(r, "error").isEmpty() ? text(r, "error") : text(r, "result_text");
        rows.add(
            new String[] {
              text(r, "created_at"),
              text(r, "name"),
              text(r, "backend"),
              text(r, "status"),
              exit,
              cost(r, "cost_usd"),
              text(r, "turns"),
              text(r, "id"),
              why.lines().findFirst().orElse("")
            });
      }
      table(
          new String[] {
            "CREATED", "NAME", "BACKEND", "STATUS", "EXIT", "COST", "TURNS", "ID", "RESULT"
          },
          rows);
      return ExitCodes.OK;
    }
  }
}
