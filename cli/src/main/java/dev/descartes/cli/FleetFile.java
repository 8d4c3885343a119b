package dev.descartes.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Reads a fleet file, YAML ({@code .yaml}, {@code .yml}, or anything else) or TOML ({@code .toml}):
 *
 * <pre>{@code
 * maxConcurrency: 2          # optional: the most agents alive at once
 * stop:                      # optional: how Ctrl+C (or failFast) stops agents
 *   signal: interrupt        #   interrupt | terminate; default: each backend's own sequence
 *   timeout: 10s             #   time to exit before SIGKILL (500ms, 5s, 1m30s...)
 *   failFast: false          #   stop the others as soon as one agent fails
 * limits:                    # optional: for every agent (an agent's own limits: win, limit by limit)
 *   memory: 2g               #   memory of its whole tree; cpus: 1.5; pids: 256; timeout: 30m; output: 100m
 * agents:                    # named agents, started in this order
 *   reviewer:
 *     backend: claude        # or: command: [./agents/review.sh, --fast]   (or one string, run by sh -c)
 *     task: Review the diff
 *     model: sonnet          # optional, like systemPrompt, context, contextFile, cwd, env
 *     cwd: ../repo
 *     env: {LOG_LEVEL: debug}
 * }</pre>
 *
 * Relative paths ({@code cwd}, {@code contextFile}, and a command's program when it contains a
 * {@code /}) are relative to the file's folder, which is also every agent's default working
 * directory. Every mistake becomes a {@link UsageException} of one line: {@code
 * file:line:column: what is wrong and how to fix it}.
 */
final class FleetFile {

  private FleetFile() {}

  /** The file's contents as a {@link Fleet}. */
  static Fleet read(Path file) {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UsageException(source + ": no such fleet file");
    } catch (IOException e) {
      throw new UsageException(source + ": cannot read it: " + e.getMessage());
    }
    FileFields fields;
    try {
      fields = mapper(file).readValue(text, FileFields.class);
    } catch (JsonProcessingException e) {
      throw new UsageException(source + problem(e));
    }
    if (fields == null) {
      throw new UsageException(source + ": the file is empty; it needs an 'agents:' section with at least one agent");
    }
    return toFleet(fields, file.toAbsolutePath().getParent(), source);
  }

  private static ObjectMapper mapper(Path file) {
    ObjectMapper m = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".toml")
        ? new TomlMapper() : new YAMLMapper();
    m.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.addHandler(new DeserializationProblemHandler() {
      @Override
      public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
          Object beanOrClass, String name) throws IOException {
        throw new BadValue(p, "unknown field '" + name + "'; known fields: " + deserializer.getKnownPropertyNames()
            .stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
      }
    });
    return m;
  }

  private static Fleet toFleet(FileFields f, Path dir, String source) {
    if (f.agents == null || f.agents.isEmpty()) {
      throw new UsageException(source + ": no agents; add an 'agents:' section with at least one named agent");
    }
    if (f.maxConcurrency != null && f.maxConcurrency < 1) {
      throw new UsageException(source + ": maxConcurrency must be at least 1, was " + f.maxConcurrency
          + "; leave it out for no cap");
    }
    ResourceLimits fleetLimits;
    try {
      fleetLimits = limits(f.limits);
    } catch (AgentException.InvalidConfig e) {
      throw new UsageException(source + ": limits: " + e.getMessage());
    }
    List<AgentConfig> agents = new ArrayList<>();
    for (Map.Entry<String, AgentEntry> e : f.agents.entrySet()) {
      agents.add(agent(e.getKey(), e.getValue(), dir, source, fleetLimits));
    }
    StopFields s = f.stop == null ? new StopFields() : f.stop;
    Fleet.StopPolicy stop = new Fleet.StopPolicy(
        s.timeout == null ? Fleet.StopPolicy.DEFAULT_TIMEOUT : s.timeout,
        Optional.ofNullable(s.signal), Boolean.TRUE.equals(s.failFast));
    return new Fleet(Optional.of(source), agents,
        f.maxConcurrency == null ? OptionalInt.empty() : OptionalInt.of(f.maxConcurrency), stop);
  }

  /** The limits a {@code limits:} section sets; each unset one is no limit. */
  private static ResourceLimits limits(LimitsFields l) {
    if (l == null) {
      return ResourceLimits.none();
    }
    ResourceLimits.Builder b = ResourceLimits.builder();
    Optional.ofNullable(l.memory).ifPresent(b::memoryBytes);
    Optional.ofNullable(l.cpus).ifPresent(b::cpus);
    Optional.ofNullable(l.pids).ifPresent(b::maxProcesses);
    Optional.ofNullable(l.timeout).ifPresent(b::runtime);
    Optional.ofNullable(l.output).ifPresent(b::outputBytesPerStream);
    return b.build();
  }

  private static AgentConfig agent(String name, AgentEntry entry, Path dir, String source, ResourceLimits fleetLimits) {
    String at = source + where(entry.location()) + ": agent '" + name + "'";
    AgentFields a = entry.fields();
    boolean hasCommand = a.command != null;
    if (name.isBlank()) {
      throw new UsageException(at + ": an agent needs a non-empty name");
    }
    if (hasCommand == (a.backend != null)) {
      throw new UsageException(at + (hasCommand
          ? ": has both 'backend' and 'command'; a command runs as it is, so keep only one"
          : ": needs a 'backend' (such as claude; see 'descartes backends') and a 'task', or a 'command'"));
    }
    if (!hasCommand && (a.task == null || a.task.isBlank())) {
      throw new UsageException(at + ": needs a 'task', the prompt for its " + a.backend + " agent");
    }
    if (a.context != null && a.contextFile != null) {
      throw new UsageException(at + ": has both 'context' and 'contextFile'; keep only one");
    }
    AgentConfig.Builder b = AgentConfig.builder().name(name);
    try {
      if (a.env != null) {
        b.environment(a.env);
      }
      if (hasCommand) {
        b.command(program(a.command, dir));
        if (a.task != null) {
          b.env("DESCARTES_TASK", a.task);
        }
      } else {
        b.modelBackend(a.backend).task(a.task);
      }
      Optional.ofNullable(a.model).ifPresent(b::model);
      Optional.ofNullable(a.systemPrompt).ifPresent(b::systemPrompt);
      Optional.ofNullable(a.context).ifPresent(b::context);
      if (a.contextFile != null) {
        b.context(Inputs.readContextFile(dir.resolve(a.contextFile), "contextFile"));
      }
      b.workingDir(Inputs.directory(dir.resolve(a.cwd == null ? "." : a.cwd), "cwd"));
      b.limits(limits(a.limits).orElse(fleetLimits));
      return b.build();
    } catch (AgentException.InvalidConfig | UsageException e) {
      throw new UsageException(at + ": " + e.getMessage());
    }
  }

  /** The command with a relative program path resolved against the fleet file's folder. */
  private static List<String> program(List<String> command, Path dir) {
    String program = command.getFirst();
    if (program.contains("/") && !Path.of(program).isAbsolute()) {
      List<String> argv = new ArrayList<>(command);
      argv.set(0, dir.resolve(program).normalize().toString());
      return argv;
    }
    return command;
  }

  private static String where(JsonLocation loc) {
    return loc == null || loc.getLineNr() < 1 ? "" : ":" + loc.getLineNr() + ":" + Math.max(1, loc.getColumnNr());
  }

  /** {@code :line:column: what is wrong}, in one line, without Jackson's class names. */
  private static String problem(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException y && y.getProblemMark() != null) {
        return ":" + (y.getProblemMark().getLine() + 1) + ":" + (y.getProblemMark().getColumn() + 1)
            + ": invalid YAML: " + y.getProblem() + (y.getContext() != null ? " (" + y.getContext() + ")" : "");
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StreamReadException r) { // a syntax error, maybe met while binding a value
        String m = firstLine(r.getOriginalMessage());
        return where(r.getLocation()) + ": " + (m.startsWith("Duplicate field ")
            ? "duplicate key " + m.substring("Duplicate field ".length()) + "; each name may appear once"
            : "invalid " + (r.getClass().getName().contains("toml") ? "TOML" : "YAML") + ": " + m);
      }
    }
    return where(e.getLocation()) + ": " + describe((JsonMappingException) e);
  }

  private static String describe(JsonMappingException e) {
    String path = path(e);
    String in = path.isEmpty() ? "" : path + ": ";
    return switch (e) {
      case BadValue b -> in + b.getOriginalMessage();
      case ValueInstantiationException v -> in + (v.getCause() != null ? v.getCause().getMessage() : v.getOriginalMessage());
      case InvalidFormatException f -> in + "'" + f.getValue() + "' is not " + expected(f.getTargetType());
      case MismatchedInputException m when m.getTargetType() != null && expected(m.getTargetType()) != null ->
          in + "must be " + expected(m.getTargetType());
      default -> in + firstLine(e.getOriginalMessage());
    };
  }

  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class) {
      return "a whole number";
    } else if (type == Boolean.class) {
      return "true or false";
    } else if (type == String.class) {
      return "a string";
    } else if (Map.class.isAssignableFrom(type)) {
      return "a mapping of names to values";
    } else if (type == LimitsFields.class) {
      return "a mapping with memory, cpus, pids, timeout and output";
    } else if (type == Double.class) {
      return "a number";
    } else if (type == StopFields.class) {
      return "a mapping with signal, timeout and failFast";
    } else if (type == AgentFields.class || type == AgentEntry.class) {
      return "a mapping of agent settings (backend, task, command, cwd, env...)";
    } else if (type == FileFields.class) {
      return "a mapping with agents, maxConcurrency and stop";
    }
    return null;
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }

  // ---- the file's shape, bound by Jackson (plain classes, not records: an unknown field is then
  // reported where it stands, not after the whole object was buffered) ----

  static final class FileFields {
    public Integer maxConcurrency;
    public StopFields stop;
    public LimitsFields limits;
    public LinkedHashMap<String, AgentEntry> agents;
  }

  static final class StopFields {
    @JsonDeserialize(using = DurationField.class)
    public Duration timeout;
    @JsonDeserialize(using = SignalField.class)
    public AgentSignal signal;
    public Boolean failFast;
  }

  static final class AgentFields {
    public String backend;
    public String task;
    public String model;
    public String systemPrompt;
    public String context;
    public String contextFile;
    public String cwd;
    public Map<String, String> env;
    @JsonDeserialize(using = CommandField.class)
    public List<String> command;
    public LimitsFields limits;
  }

  /** Resource limits, for every agent (top level) or one (under the agent); an agent's own win. */
  static final class LimitsFields {
    @JsonDeserialize(using = SizeField.class)
    public Long memory;
    public Double cpus;
    public Integer pids;
    @JsonDeserialize(using = DurationField.class)
    public Duration timeout;
    @JsonDeserialize(using = SizeField.class)
    public Long output;
  }

  /** {@code 512m}, {@code 2g}, {@code 1.5GiB}, or a number of bytes. */
  static final class SizeField extends JsonDeserializer<Long> {
    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
        return p.getLongValue();
      }
      try {
        return ResourceLimits.parseSize(p.getValueAsString(p.getText()));
      } catch (IllegalArgumentException e) {
        throw new BadValue(p, e.getMessage());
      }
    }
  }

  /** An agent's fields and where they start in the file, for messages about the agent as a whole. */
  @JsonDeserialize(using = AgentEntryField.class)
  record AgentEntry(AgentFields fields, JsonLocation location) {}

  static final class AgentEntryField extends JsonDeserializer<AgentEntry> {
    @Override
    public AgentEntry deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonLocation at = p.currentTokenLocation();
      return new AgentEntry(ctxt.readValue(p, AgentFields.class), at);
    }
  }

  /** A value of the right type but wrong content; its message is meant for the user. */
  static final class BadValue extends JsonMappingException {
    private static final long serialVersionUID = 1L;

    BadValue(JsonParser p, String message) {
      super(p, message);
    }
  }

  /** {@code 5s}, {@code 1m30s}, {@code 500ms}, or a number of seconds. */
  static final class DurationField extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      try {
        return Durations.parse(p.getValueAsString(p.getText()));
      } catch (IllegalArgumentException e) {
        throw new BadValue(p, e.getMessage());
      }
    }
  }

  /** {@code interrupt} (or INT, SIGINT) or {@code terminate} (TERM, SIGTERM). */
  static final class SignalField extends JsonDeserializer<AgentSignal> {
    @Override
    public AgentSignal deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String s = p.getValueAsString("").strip().toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
      return switch (s) {
        case "INT", "INTERRUPT" -> AgentSignal.INTERRUPT;
        case "TERM", "TERMINATE" -> AgentSignal.TERMINATE;
        default -> throw new BadValue(p, "'" + p.getText()
            + "' is not a stop signal; use interrupt (SIGINT) or terminate (SIGTERM)");
      };
    }
  }

  /** A list of strings (the argv, no shell), or one string run by {@code /bin/sh -c}. */
  static final class CommandField extends JsonDeserializer<List<String>> {
    @Override
    public List<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        return List.of("/bin/sh", "-c", p.getText());
      }
      if (p.currentToken() == JsonToken.START_ARRAY) {
        List<String> argv = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (!t.isScalarValue()) {
            throw new BadValue(p, "each element of a command is one argument, a string");
          }
          argv.add(p.getText());
        }
        if (!argv.isEmpty() && !argv.getFirst().isBlank()) {
          return argv;
        }
      }
      throw new BadValue(p, "a command is a list of arguments, program first"
          + " ([./agent.sh, --fast]), or one string run by sh -c");
    }
  }
}
