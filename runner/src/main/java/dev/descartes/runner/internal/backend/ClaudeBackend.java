package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LaunchSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Claude Code, one-shot and headless: {@code claude -p --output-format stream-json --verbose}. The
 * prompt goes as the last argument when it fits and cannot be taken for a flag, else over stdin;
 * stdin is then closed (claude waits 3 s on an open, silent stdin). Stopped with SIGINT first,
 * which aborts the turn and kills its tools cleanly.
 */
final class ClaudeBackend implements AgentBackend {

  @Override
  public String name() {
    return "claude";
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    Prompts.requireNameAndTask(config, name());
    List<String> argv = new ArrayList<>(List.of("claude", "-p", "--output-format", "stream-json", "--verbose"));
    config.model().ifPresent(m -> argv.addAll(List.of("--model", m)));
    config.systemPrompt().ifPresent(s -> {
      Prompts.requireArgumentSize("systemPrompt", s);
      argv.addAll(List.of("--system-prompt", s));
    });
    String prompt = Prompts.prompt(config);
    byte[] input = new byte[0];
    if (Prompts.fitsArgument(prompt)) {
      argv.add(prompt);
    } else {
      input = prompt.getBytes(StandardCharsets.UTF_8);
    }
    return new LaunchSpec(argv, Map.of(), LaunchSpec.Stdin.CLOSE_AFTER_INPUT, input);
  }

  @Override
  public GracefulShutdown stopSequence(Duration timeout) {
    Duration half = timeout.dividedBy(2);
    return GracefulShutdown.builder()
        .signal(AgentSignal.INTERRUPT).await(half)
        .signal(AgentSignal.TERMINATE).await(timeout.minus(half))
        .build();
  }
}
