package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LaunchSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenCode, one-shot: {@code opencode run --format json}, the prompt on stdin (read to end of file;
 * as an argument, a message with spaces would reach the model wrapped in quotes). There is no
 * {@code opencode --headless} (opencode prints its usage and exits 1). The system prompt goes in
 * front of the prompt. Resume with {@code --session ID}. opencode takes its project from {@code
 * $PWD}, which the runner sets. It ignores SIGTERM while a tool runs; SIGINT ends it (exit 130) but
 * orphans its shell tool, which the runner's tree kill then removes.
 */
final class OpencodeBackend implements AgentBackend {

  @Override
  public String name() {
    return "opencode";
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    Prompts.requireNameAndTask(config, name());
    List<String> argv = new ArrayList<>(List.of("opencode", "run", "--format", "json"));
    config.model().ifPresent(m -> argv.addAll(List.of("--model", m)));
    config.resumeSession().ifPresent(s -> argv.addAll(List.of("--session", s)));
    if (config.autoApprove()) {
      argv.add("--auto");
    }
    return Prompts.launch(config, argv, Prompts.promptWithSystem(config), Map.of(), null);
  }

  @Override
  public AgentEventParser newEventParser() {
    return AgentEventParser.forFormat("opencode").orElseThrow();
  }

  @Override
  public Set<String> environmentAllowList() {
    return Set.of("OPENCODE_*", "ANTHROPIC_*", "OPENAI_*", "GEMINI_*", "GOOGLE_*", "OPENROUTER_*");
  }

  @Override
  public GracefulShutdown stopSequence(Duration timeout) {
    return ClaudeBackend.interruptFirst(timeout);
  }
}
