package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.LaunchSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gemini CLI: {@code gemini -o stream-json --skip-trust} (without trust it exits 55), the prompt on
 * stdin, which a non-interactive gemini reads to end of file; the system prompt goes in front of it
 * (gemini has no flag for one). {@code GEMINI_CLI_NO_RELAUNCH=true} keeps it one process: the
 * relaunching parent ignores SIGINT and SIGTERM. Gemini exits 0 on SIGINT or SIGTERM without a
 * result line, leaving its shell tool (in its own session) to the runner's tree kill: the outcome
 * is then a failure ({@code NO_RESULT}/{@code INTERRUPTED}). Stopped by SIGTERM, then SIGKILL.
 * Resume with {@code --resume ID}.
 */
final class GeminiBackend implements AgentBackend {

  @Override
  public String name() {
    return "gemini";
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    Prompts.requireNameAndTask(config, name());
    List<String> argv = new ArrayList<>(List.of("gemini", "-o", "stream-json", "--skip-trust"));
    config.model().ifPresent(m -> argv.addAll(List.of("--model", m)));
    config.resumeSession().ifPresent(s -> argv.addAll(List.of("--resume", s)));
    if (config.autoApprove()) {
      argv.add("--yolo");
    }
    return Prompts.launch(
        config,
        argv,
        Prompts.promptWithSystem(config),
        Map.of("GEMINI_CLI_NO_RELAUNCH", "true"),
        null);
  }

  @Override
  public AgentEventParser newEventParser() {
    return AgentEventParser.forFormat("gemini").orElseThrow();
  }

  @Override
  public Set<String> environmentAllowList() {
    return Set.of("GEMINI_*", "GOOGLE_*");
  }
}
