package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.LaunchSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OpenCode, one-shot: {@code opencode run --format json MESSAGE}. The seed's {@code opencode
 * --headless} does not exist (opencode prints its usage and exits 1). A prompt that does not fit
 * one argument, or starts with {@code -}, goes over stdin, which opencode reads to end of file;
 * stdin is always closed, since {@code opencode run} waits for end of file otherwise.
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
    String prompt = config.systemPrompt().map(s -> s + "\n\n").orElse("") + Prompts.prompt(config);
    byte[] input = new byte[0];
    if (Prompts.fitsArgument(prompt)) {
      argv.add(prompt);
    } else {
      input = prompt.getBytes(StandardCharsets.UTF_8);
    }
    return new LaunchSpec(argv, Map.of(), LaunchSpec.Stdin.CLOSE_AFTER_INPUT, input);
  }
}
