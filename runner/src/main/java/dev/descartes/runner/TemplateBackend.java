package dev.descartes.runner;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A user-defined backend: an argv template, an event format, a stdin policy and a stop sequence.
 * Register it with {@link ProcessRunnerConfig.Builder#backend} (or through {@link
 * java.util.ServiceLoader} from a subclass of {@link AgentBackend}).
 *
 * <p>Template elements may hold placeholders: {@code {task}}, {@code {prompt}} (task, then the
 * context in {@code <context>} tags), {@code {model}}, {@code {systemPrompt}} and {@code {session}}
 * (the session to resume). An element whose placeholder has no value is dropped, and so is the flag
 * right before it when the element is the placeholder alone ({@code "--model", "{model}"}
 * disappears without a model). With {@link Builder#promptOnStdin()} the prompt (system prompt in
 * front) is written to stdin and stdin closed, and the template must not use {@code {prompt}} or
 * {@code {task}}: that is the way for prompts of any size, or starting with {@code -}. {@link
 * AgentConfig#extraArgs()} are appended to the argv. Immutable and thread-safe.
 *
 * <pre>{@code
 * TemplateBackend.builder("my-claude")
 *     .command("claude", "-p", "--output-format", "stream-json", "--verbose", "--model", "{model}")
 *     .promptOnStdin().eventFormat("claude").build();
 * }</pre>
 */
public final class TemplateBackend implements AgentBackend {

  private static final List<String> PLACEHOLDERS =
      List.of("{task}", "{prompt}", "{model}", "{systemPrompt}", "{session}");

  private final String name;
  private final List<String> template;
  private final boolean promptOnStdin;
  private final Map<String, String> environment;
  private final Supplier<AgentEventParser> parsers;
  private final Function<Duration, GracefulShutdown> stopSequence;
  private final Set<String> environmentAllowList;

  private TemplateBackend(Builder b) {
    this.name = b.name;
    this.template = List.copyOf(b.template);
    this.promptOnStdin = b.promptOnStdin;
    this.environment = Map.copyOf(b.environment);
    this.parsers = b.parsers;
    this.stopSequence = b.stopSequence;
    this.environmentAllowList = Set.copyOf(b.environmentAllowList);
  }

  /**
   * Starts a backend definition.
   *
   * @param name the name agents select it by ({@link AgentConfig#modelBackend()})
   * @return a builder for a backend called {@code name}
   * @throws NullPointerException if {@code name} is null
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public LaunchSpec launch(AgentConfig config) {
    if (config.task().isBlank()) {
      throw new AgentException.InvalidConfig(
          "task", "is empty; the " + name + " backend needs a task");
    }
    String prompt = config.prompt();
    Map<String, Optional<String>> values =
        Map.of(
            "{task}",
            Optional.of(config.task()),
            "{prompt}",
            Optional.of(prompt),
            "{model}",
            config.model(),
            "{systemPrompt}",
            config.systemPrompt(),
            "{session}",
            config.resumeSession());
    List<String> argv = new ArrayList<>();
    for (String element : template) {
      String out = element;
      boolean missing = false;
      for (String ph : PLACEHOLDERS) {
        if (out.contains(ph)) {
          Optional<String> v = values.get(ph);
          if (v.isEmpty()) {
            missing = true;
            break;
          }
          out = out.replace(ph, v.get());
        }
      }
      if (missing) {
        if (PLACEHOLDERS.contains(element)
            && !argv.isEmpty()
            && argv.getLast().startsWith("-")
            && argv.size() > 1) {
          argv.removeLast();
        }
        continue;
      }
      argv.add(out);
    }
    argv.addAll(config.extraArgs());
    if (!promptOnStdin) {
      return new LaunchSpec(argv, environment, LaunchSpec.Stdin.OPEN, new byte[0]);
    }
    String text =
        config
            .systemPrompt()
            .map(s -> "<system>\n" + s + "\n</system>\n\n" + prompt)
            .orElse(prompt);
    return new LaunchSpec(
        argv,
        environment,
        LaunchSpec.Stdin.CLOSE_AFTER_INPUT,
        text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public AgentEventParser newEventParser() {
    return parsers.get();
  }

  @Override
  public GracefulShutdown stopSequence(Duration timeout) {
    return stopSequence.apply(timeout);
  }

  @Override
  public Set<String> environmentAllowList() {
    return environmentAllowList;
  }

  @Override
  public String toString() {
    return "TemplateBackend["
        + name
        + ", "
        + template
        + (promptOnStdin ? ", prompt on stdin" : "")
        + "]";
  }

  /** Builds a {@link TemplateBackend}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private List<String> template = List.of();
    private boolean promptOnStdin;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Supplier<AgentEventParser> parsers = AgentEventParser::none;
    private Function<Duration, GracefulShutdown> stopSequence = GracefulShutdown::new;
    private Set<String> environmentAllowList = Set.of();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Sets the argv template: the program first, then arguments with placeholders.
     *
     * @param template the argv template; an element missing a value drops out
     * @return this builder
     */
    public Builder command(List<String> template) {
      this.template = List.copyOf(template);
      return this;
    }

    /**
     * Sets the argv template: the program first, then arguments with placeholders.
     *
     * @param template the argv template
     * @return this builder
     */
    public Builder command(String... template) {
      return command(List.of(template));
    }

    /**
     * Sends the prompt on stdin, then closes it (else stdin stays open and the template carries the
     * prompt).
     *
     * @return this builder
     */
    public Builder promptOnStdin() {
      this.promptOnStdin = true;
      return this;
    }

    /**
     * Adds a variable to the agent's environment (the agent's own environment wins).
     *
     * @param key the variable's name
     * @param value its value
     * @return this builder
     */
    public Builder env(String key, String value) {
      environment.put(key, value);
      return this;
    }

    /**
     * Parses the CLI's JSON lines with a built-in format.
     *
     * @param format claude, qwen, opencode, codex, gemini, or none
     * @return this builder
     * @throws AgentException.InvalidConfig for an unknown format
     */
    public Builder eventFormat(String format) {
      if (AgentEventParser.forFormat(format).isEmpty()) {
        throw new AgentException.InvalidConfig(
            "eventFormat",
            "unknown format '"
                + format
                + "'; use claude, qwen, opencode, codex, gemini or none, or eventParser(...) for your own");
      }
      this.parsers = () -> AgentEventParser.forFormat(format).orElseThrow();
      return this;
    }

    /**
     * Parses the CLI's JSON lines with parsers of your own.
     *
     * @param parsers makes one parser per agent and per events reader
     * @return this builder
     */
    public Builder eventParser(Supplier<AgentEventParser> parsers) {
      this.parsers = Objects.requireNonNull(parsers, "parsers");
      return this;
    }

    /**
     * Sets the stop sequence; by default SIGTERM, wait, SIGKILL.
     *
     * @param stopSequence the sequence for a given timeout
     * @return this builder
     */
    public Builder stopSequence(Function<Duration, GracefulShutdown> stopSequence) {
      this.stopSequence = Objects.requireNonNull(stopSequence, "stopSequence");
      return this;
    }

    /**
     * Names the runner's variables the CLI needs under an environment allow-list.
     *
     * @param names variable names; a trailing {@code *} matches a prefix
     * @return this builder
     */
    public Builder environmentAllowList(Set<String> names) {
      this.environmentAllowList = Set.copyOf(names);
      return this;
    }

    /**
     * Builds the backend.
     *
     * @return the backend
     * @throws AgentException.InvalidConfig if the name or the template is empty, or the template
     *     uses the prompt while it goes on stdin
     */
    public TemplateBackend build() {
      if (name.isBlank()) {
        throw new AgentException.InvalidConfig(
            "name", "a template backend needs a name, such as \"my-cli\"");
      }
      if (template.isEmpty() || template.getFirst().isBlank()) {
        throw new AgentException.InvalidConfig(
            "command",
            "the template of backend "
                + name
                + " is empty; give the program and its arguments, such as command(\"my-cli\", \"{prompt}\")");
      }
      if (promptOnStdin
          && template.stream().anyMatch(e -> e.contains("{prompt}") || e.contains("{task}"))) {
        throw new AgentException.InvalidConfig(
            "command",
            "backend "
                + name
                + " sends the prompt on "
                + "stdin, so its template must not use {prompt} or {task}; remove them or drop promptOnStdin()");
      }
      return new TemplateBackend(this);
    }
  }
}
