package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEventParser;
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
 * Qwen Code: {@code qwen -o stream-json}, the prompt on stdin (read to end of file), events in
 * Claude's format. Multi-turn with {@code --input-format stream-json} (qwen 0.24 ignores the
 * interrupt request, so a turn cannot be cancelled alone); resume with {@code --resume ID}. {@code
 * QWEN_CODE_NO_RELAUNCH=true} keeps it from relaunching itself as a child. Stopped with SIGINT
 * first (exit 130, its shell tool killed), then SIGTERM; its worker process is left for the
 * runner's tree kill. Point it at a model with {@code --auth-type openai} in {@link
 * AgentConfig#extraArgs()} and {@code OPENAI_*} variables, or with its settings file.
 */
final class QwenBackend implements AgentBackend {

  @Override
  public String name() {
    return "qwen";
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    Prompts.requireNameAndTask(config, name());
    List<String> argv = new ArrayList<>(List.of("qwen", "-o", "stream-json"));
    if (config.multiTurn()) {
      argv.addAll(List.of("--input-format", "stream-json"));
    }
    config.model().ifPresent(m -> argv.addAll(List.of("--model", m)));
    config.resumeSession().ifPresent(s -> argv.addAll(List.of("--resume", s)));
    if (config.autoApprove()) {
      argv.add("--yolo");
    }
    String text = Prompts.systemPromptByFlag(config, "--system-prompt", argv);
    return Prompts.launch(
        config,
        argv,
        text,
        Map.of("QWEN_CODE_NO_RELAUNCH", "true"),
        SessionProtocol.claudeStreamJsonWithoutInterrupt());
  }

  @Override
  public AgentEventParser newEventParser() {
    return AgentEventParser.forFormat("qwen").orElseThrow();
  }

  @Override
  public Optional<SessionProtocol> sessionProtocol() {
    return Optional.of(SessionProtocol.claudeStreamJsonWithoutInterrupt());
  }

  @Override
  public Set<String> environmentAllowList() {
    return Set.of("OPENAI_*", "QWEN_*", "DASHSCOPE_*", "ANTHROPIC_*", "GEMINI_*");
  }

  @Override
  public GracefulShutdown stopSequence(Duration timeout) {
    return ClaudeBackend.interruptFirst(timeout);
  }
}
