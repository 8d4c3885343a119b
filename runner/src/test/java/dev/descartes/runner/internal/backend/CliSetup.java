package dev.descartes.runner.internal.backend;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.testing.fakemodel.FakeModelServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How a test runs one real CLI against the fake model server: its installed binary on {@code PATH},
 * a private {@code HOME} (and {@code TMPDIR} in it), and the variables and files that point it at
 * the server with a fake key. Immutable.
 *
 * @param cli the backend and program name
 * @param protocol which API the CLI calls
 */
public record CliSetup(String cli, String protocol) {

  public static final CliSetup CLAUDE = new CliSetup("claude", "Anthropic Messages");
  public static final CliSetup OPENCODE = new CliSetup("opencode", "OpenAI chat completions");
  public static final CliSetup CODEX = new CliSetup("codex", "OpenAI Responses");
  public static final CliSetup GEMINI = new CliSetup("gemini", "Gemini streamGenerateContent");
  public static final CliSetup QWEN = new CliSetup("qwen", "OpenAI chat completions");

  /**
   * A config builder for an agent of this CLI, working in {@code work} with {@code home} as HOME,
   * talking to {@code model}; skips the test if the CLI is not installed.
   */
  public AgentConfig.Builder config(Path home, Path work, FakeModelServer model) {
    Path bin = AgentClis.binDir(cli);
    String url = model.baseUrl().toString();
    AgentConfig.Builder b =
        AgentConfig.builder()
            .name(cli + "-test")
            .modelBackend(cli)
            .workingDir(work)
            .env("PATH", bin + ":" + System.getenv("PATH"))
            .env("HOME", home.toString())
            .env("XDG_CONFIG_HOME", home.resolve(".config").toString())
            .env("XDG_DATA_HOME", home.resolve(".local/share").toString())
            .env("XDG_CACHE_HOME", home.resolve(".cache").toString())
            .env("XDG_STATE_HOME", home.resolve(".local/state").toString());
    try {
      // the CLIs' own temporary files (claude's claude-<uid>/, gemini's error reports) go with HOME
      b.env("TMPDIR", Files.createDirectories(home.resolve("tmp")).toString());
      switch (cli) {
        case "claude" ->
            b.env("ANTHROPIC_BASE_URL", url)
                .env("ANTHROPIC_API_KEY", "fake-key")
                .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
                .env("IS_SANDBOX", "1"); // lets --dangerously-skip-permissions run as root
        case "opencode" ->
            b.env(
                    "OPENCODE_CONFIG_CONTENT",
                    """
              {"provider":{"fake":{"npm":"@ai-sdk/openai-compatible","name":"Fake",
                "options":{"baseURL":"%s/v1","apiKey":"fake-key"},
                "models":{"fake-model":{"name":"Fake"}}}},
               "model":"fake/fake-model"}"""
                        .formatted(url))
                .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
                .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
                .env("OPENCODE_DISABLE_DEFAULT_PLUGINS", "1")
                .env("OPENCODE_DISABLE_LSP_DOWNLOAD", "1")
                .env("OPENCODE_DISABLE_SHARE", "1");
        case "codex" -> {
          Path codexHome = Files.createDirectories(home.resolve(".codex"));
          Files.writeString(
              codexHome.resolve("config.toml"),
              """
              model = "fake-model"
              model_provider = "fake"
              [model_providers.fake]
              name = "Fake"
              base_url = "%s/v1"
              env_key = "FAKE_MODEL_API_KEY"
              wire_api = "responses"
              """
                  .formatted(url));
          b.env("CODEX_HOME", codexHome.toString()).env("FAKE_MODEL_API_KEY", "fake-key");
        }
        case "gemini" -> {
          Path dir = Files.createDirectories(home.resolve(".gemini"));
          Files.writeString(
              dir.resolve("settings.json"),
              "{\"security\":{\"auth\":{\"selectedType\":\"gemini-api-key\"}}}");
          // an explicit model: "auto" first asks a router model, which costs a round trip
          b.env("GEMINI_API_KEY", "fake-key")
              .env("GOOGLE_GEMINI_BASE_URL", url)
              .model("gemini-2.5-flash");
        }
        case "qwen" ->
            b.env("OPENAI_API_KEY", "fake-key")
                .env("OPENAI_BASE_URL", url + "/v1")
                .env("OPENAI_MODEL", "fake-model")
                .extraArgs(List.of("--auth-type", "openai"));
        default -> throw new IllegalArgumentException(cli);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b;
  }

  @Override
  public String toString() {
    return cli;
  }
}
