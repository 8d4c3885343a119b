package dev.descartes.cli;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.LaunchSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Checks a fleet before anything starts, so that a typo in the tenth agent does not leave nine
 * running: every backend is known, every program (a backend's CLI or a command) is installed, and
 * every argument and environment variable fits what Linux allows in one (128 KiB). Every problem of
 * every agent is reported at once, at the place the user must change ({@link Fleet.Origin}).
 */
final class Preflight {

  static final String STDIN_BACKENDS = "claude, codex, gemini, opencode, qwen";

  private Preflight() {}

  /**
   * @param backends the runner's registered backend names
   * @param problems where every problem found goes
   */
  static void check(Fleet fleet, List<String> backends, Problems problems) {
    for (int i = 0; i < fleet.agents().size(); i++) {
      check(fleet.agents().get(i), fleet.origins().get(i), fleet.single(), backends, problems);
    }
  }

  private static void check(
      AgentConfig a, Fleet.Origin o, boolean single, List<String> backends, Problems problems) {
    String agent = single ? "" : "agent '" + a.name() + "': ";
    Path cwd = a.workingDir().orElse(Path.of("").toAbsolutePath());
    String path = a.environment().getOrDefault("PATH", System.getenv("PATH"));
    if (a.hasCommand()) {
      String program = a.command().getFirst();
      if (a.container().isEmpty() && Clis.find(program, path, cwd).isEmpty()) {
        problems.add(
            Problem.Kind.UNAVAILABLE,
            o.at("command"),
            agent
                + "the command's program '"
                + program
                + "' "
                + (program.contains("/")
                    ? "does not exist or is not executable"
                    : "is not on PATH"),
            program.contains("/")
                ? "fix the path (relative to the fleet file's folder), or chmod +x " + program
                : "install it, or give its path");
      }
      a.command().stream()
          .skip(1)
          .filter(Preflight::tooLong)
          .findFirst()
          .ifPresent(
              arg ->
                  problems.add(
                      o.kind(),
                      o.at("command"),
                      agent
                          + "an argument of the command is "
                          + Inputs.size(bytes(arg))
                          + ", over the 128 KiB Linux allows in one",
                      "put the text in a file and pass the file's path"));
      if (a.environment().containsKey("DESCARTES_TASK")
          && tooLong("DESCARTES_TASK=" + a.environment().get("DESCARTES_TASK"))) {
        problems.add(
            o.kind(),
            o.at("task"),
            agent
                + "the task is "
                + Inputs.size(bytes(a.environment().get("DESCARTES_TASK")))
                + ", over the 128 KiB Linux allows in one environment variable, and a"
                + " command gets its task in DESCARTES_TASK",
            "put the text in a file and have the command read it,"
                + " or use a backend that sends the task on stdin ("
                + STDIN_BACKENDS
                + ")");
      }
    } else {
      String backend = a.modelBackend();
      if (!Clis.known(backend, backends)) {
        problems.add(
            o.kind(),
            o.at("backend"),
            agent + "unknown backend '" + backend + "'",
            "use one of "
                + String.join(", ", backends)
                + ", or '<program>-cli' for any other CLI ('descartes backends' lists them)");
      } else {
        Clis.program(backend)
            .filter(p -> a.container().isEmpty() && Clis.find(p, path, cwd).isEmpty())
            .ifPresent(
                p ->
                    problems.add(
                        Problem.Kind.UNAVAILABLE,
                        o.at("backend"),
                        agent
                            + "the "
                            + backend
                            + " backend needs the '"
                            + p
                            + "' program, which is not on PATH",
                        Clis.installHint(backend)
                                .map(h -> "install it with '" + h + "'")
                                .orElse("install it, or put its folder on PATH")
                            + " ('descartes backends' shows what is installed)"));
      }
      if (Clis.generic(backend)) {
        genericSizes(a, o, agent, problems);
      }
      a.extraArgs().stream()
          .filter(Preflight::tooLong)
          .findFirst()
          .ifPresent(
              arg ->
                  problems.add(
                      o.kind(),
                      o.at("args"),
                      agent
                          + "an extra argument is "
                          + Inputs.size(bytes(arg))
                          + ", over the 128 KiB Linux allows in one",
                      "put the text in a file and pass the file's path"));
    }
    for (Map.Entry<String, String> e : a.environment().entrySet()) {
      if (!e.getKey().equals("DESCARTES_TASK") && tooLong(e.getKey() + "=" + e.getValue())) {
        problems.add(
            o.kind(),
            o.at("env"),
            agent
                + "the variable "
                + e.getKey()
                + " is "
                + Inputs.size(bytes(e.getValue()))
                + ", over the 128 KiB Linux allows in one",
            "put the value in a file and pass the file's path");
      }
    }
  }

  /** The generic backend passes the task as an argument, context and system prompt as variables. */
  private static void genericSizes(AgentConfig a, Fleet.Origin o, String agent, Problems problems) {
    String fix =
        "use a backend that sends it on stdin ("
            + STDIN_BACKENDS
            + "), and put the bulk in a context"
            + " file ("
            + (o.kind() == Problem.Kind.USAGE ? "--context-file" : "contextFile:")
            + ")";
    if (tooLong(a.task())) {
      problems.add(
          o.kind(),
          o.at("task"),
          agent
              + "the task is "
              + Inputs.size(bytes(a.task()))
              + ", over the"
              + " 128 KiB Linux allows in one argument, and the "
              + a.modelBackend()
              + " backend passes it as one",
          fix);
    }
    a.context()
        .filter(c -> tooLong("DESCARTES_CONTEXT=" + c))
        .ifPresent(
            c ->
                problems.add(
                    o.kind(),
                    o.at(o.fields().containsKey("contextFile") ? "contextFile" : "context"),
                    agent
                        + "the context is "
                        + Inputs.size(bytes(c))
                        + ", over the 128 KiB Linux allows in one environment variable, and the "
                        + a.modelBackend()
                        + " backend passes it in DESCARTES_CONTEXT",
                    fix));
    a.systemPrompt()
        .filter(s -> tooLong("DESCARTES_SYSTEM_PROMPT=" + s))
        .ifPresent(
            s ->
                problems.add(
                    o.kind(),
                    o.at("systemPrompt"),
                    agent
                        + "the system prompt is "
                        + Inputs.size(bytes(s))
                        + ", over the 128 KiB Linux"
                        + " allows in one environment variable, and the "
                        + a.modelBackend()
                        + " backend passes it in"
                        + " DESCARTES_SYSTEM_PROMPT",
                    fix));
  }

  private static boolean tooLong(String s) {
    return s.length() > LaunchSpec.MAX_ARGUMENT_BYTES / 3
        && bytes(s) > LaunchSpec.MAX_ARGUMENT_BYTES;
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
