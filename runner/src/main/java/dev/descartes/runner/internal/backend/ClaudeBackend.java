package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.SessionProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Claude Code: {@code claude -p --output-format stream-json --verbose}, the prompt on stdin, which
 * is then closed (claude waits 3 s on an open, silent stdin). Multi-turn with {@code --input-format
 * stream-json}; resume with {@code --resume ID}. Stopped with SIGINT first, which aborts the turn,
 * kills its tools (which run in their own session) and still writes the final result; SIGTERM would
 * orphan them.
 */
final class ClaudeBackend implements AgentBackend {

  @Override
  public String name() {
    return "claude";
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    Prompts.requireNameAndTask(config, name());
    List<String> argv =
        new ArrayList<>(List.of("claude", "-p", "--output-format", "stream-json", "--verbose"));
    if (config.multiTurn()) {
      argv.addAll(List.of("--input-format", "stream-json"));
    }
    config.model().ifPresent(m -> argv.addAll(List.of("--model", m)));
    config.resumeSession().ifPresent(s -> argv.addAll(List.of("--resume", s)));
    if (config.budgetUsd().isPresent()) {
      argv.addAll(
          List.of(
              "--max-budget-usd",
              String.format(java.util.Locale.ROOT, "%.4f", config.budgetUsd().getAsDouble())));
    }
    if (config.autoApprove()) {
      argv.add("--dangerously-skip-permissions");
    }
    String text = Prompts.systemPromptByFlag(config, "--system-prompt", argv);
    return Prompts.launch(config, argv, text, Map.of(), SessionProtocol.claudeStreamJson());
  }

  @Override
  public AgentEventParser newEventParser() {
    return AgentEventParser.forFormat("claude").orElseThrow();
  }

  @Override
  public Optional<SessionProtocol> sessionProtocol() {
    return Optional.of(SessionProtocol.claudeStreamJson());
  }

  @Override
  public Set<String> environmentAllowList() {
    return Set.of("ANTHROPIC_*", "CLAUDE_*", "IS_SANDBOX", "AWS_*", "GOOGLE_*", "CLOUD_ML_REGION");
  }

  @Override
  public GracefulShutdown stopSequence(Duration timeout) {
    return interruptFirst(timeout);
  }

  /** SIGINT, half the time, SIGTERM, the rest, then SIGKILL. */
  static GracefulShutdown interruptFirst(Duration timeout) {
    Duration half = timeout.dividedBy(2);
    return GracefulShutdown.builder()
        .signal(AgentSignal.INTERRUPT)
        .await(half)
        .signal(AgentSignal.TERMINATE)
        .await(timeout.minus(half))
        .build();
  }
}
