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
 * Codex: {@code codex exec --json --skip-git-repo-check -}, the prompt on stdin ({@code -}), which
 * is then closed ({@code codex exec} waits for end of file). The system prompt goes in front of the
 * prompt. Resume with {@code codex exec ... resume ID -}. Codex forwards SIGTERM to its tools, so
 * the default stop sequence (SIGTERM, wait, SIGKILL) is right.
 */
final class CodexBackend implements AgentBackend {

  @Override
  public String name() {
    return "codex";
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    Prompts.requireNameAndTask(config, name());
    List<String> argv =
        new ArrayList<>(List.of("codex", "exec", "--json", "--skip-git-repo-check"));
    config.model().ifPresent(m -> argv.addAll(List.of("--model", m)));
    if (config.autoApprove()) {
      argv.add("--dangerously-bypass-approvals-and-sandbox");
    }
    argv.addAll(config.extraArgs());
    config.resumeSession().ifPresent(s -> argv.addAll(List.of("resume", s)));
    argv.add("-");
    AgentConfig noExtra = config.toBuilder().extraArgs(List.of()).build();
    return Prompts.launch(noExtra, argv, Prompts.promptWithSystem(config), Map.of(), null);
  }

  @Override
  public AgentEventParser newEventParser() {
    return AgentEventParser.forFormat("codex").orElseThrow();
  }

  @Override
  public Set<String> environmentAllowList() {
    return Set.of("OPENAI_*", "CODEX_*");
  }
}
