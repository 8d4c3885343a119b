package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scripted model server on {@code 127.0.0.1} for running the real agent CLIs without the internet
 * or an API key. It speaks Anthropic Messages ({@code POST /v1/messages}, SSE), OpenAI chat
 * completions ({@code POST /v1/chat/completions}, SSE), OpenAI Responses ({@code POST
 * /v1/responses}, SSE) and Gemini ({@code POST /v1beta/models/M:streamGenerateContent}, SSE, and
 * {@code :generateContent}).
 *
 * <p>Every request whose last message is the user's is answered with the script's {@link Reply}:
 * text, an echo of the user's message, a call of the CLI's shell tool, or an API error. A request
 * that carries a tool's result is answered with {@link #afterToolText()}. Every request is
 * recorded. Thread-safe; one server per test, closed by the test.
 *
 * <pre>{@code
 * try (var model = FakeModelServer.start(Reply.text("hello"))) {
 *   env.put("ANTHROPIC_BASE_URL", model.baseUrl().toString());
 * }
 * }</pre>
 */
public final class FakeModelServer implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(FakeModelServer.class);

  /** The names the CLIs give their shell tool, most specific first. */
  private static final List<String> SHELL_TOOLS =
      List.of(
          "Bash",
          "bash",
          "run_shell_command",
          "shell_command",
          "exec_command",
          "shell",
          "local_shell");

  private final HttpServer http;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final List<ModelRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger toolCalls = new AtomicInteger();
  private volatile Function<ModelRequest, Reply> script;
  private volatile String afterToolText = "The command finished.";
  private volatile String modelName = "fake-model";

  private FakeModelServer(Function<ModelRequest, Reply> script) throws IOException {
    this.script = Objects.requireNonNull(script, "script");
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    http.start();
  }

  /** A server answering every user turn with {@code reply}. */
  public static FakeModelServer start(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    return start(r -> reply);
  }

  /** A server answering each user turn with what {@code script} picks for the request. */
  public static FakeModelServer start(Function<ModelRequest, Reply> script) {
    try {
      return new FakeModelServer(script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** Replaces the script; later requests use the new one. */
  public FakeModelServer script(Function<ModelRequest, Reply> script) {
    this.script = Objects.requireNonNull(script, "script");
    return this;
  }

  /** Replaces the script with one answering every user turn with {@code reply}. */
  public FakeModelServer script(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    return script(r -> reply);
  }

  /** The text answered to a request that carries a tool's result. */
  public String afterToolText() {
    return afterToolText;
  }

  public FakeModelServer afterToolText(String text) {
    this.afterToolText = Objects.requireNonNull(text);
    return this;
  }

  /** The model name the server reports (Anthropic and OpenAI answers carry one). */
  public FakeModelServer modelName(String name) {
    this.modelName = Objects.requireNonNull(name);
    return this;
  }

  String modelName() {
    return modelName;
  }

  /** Every request so far, in arrival order. */
  public List<ModelRequest> requests() {
    return List.copyOf(requests);
  }

  /** The requests of one protocol whose last message is the user's: one per user turn. */
  public List<ModelRequest> userTurns() {
    return requests.stream()
        .filter(r -> !r.afterTool() && !r.structured() && !r.lastUserText().isEmpty())
        .toList();
  }

  private void handle(HttpExchange ex) {
    Exchange exchange = new Exchange(ex);
    String path = ex.getRequestURI().toString();
    try {
      JsonNode body = readBody(ex.getRequestBody());
      Dialect dialect = dialect(ex.getRequestMethod(), ex.getRequestURI().getPath());
      if (dialect == null) {
        requests.add(
            new ModelRequest(
                ModelRequest.Protocol.OTHER,
                path,
                body,
                "",
                false,
                false,
                MissingNode.getInstance()));
        LOG.debug(
            "fake model: {} {} is not an endpoint it serves: 404", ex.getRequestMethod(), path);
        exchange.json(404, JSON.createObjectNode().put("error", "not found: " + path));
        return;
      }
      ModelRequest request = dialect.read(path, body);
      requests.add(request);
      Answer answer = resolve(dialect, request);
      LOG.debug("fake model: {} {} -> {}", ex.getRequestMethod(), path, answer);
      dialect.write(exchange, request, answer);
    } catch (IOException | RuntimeException e) {
      LOG.debug("fake model: {} failed: {}", path, e.toString());
    } finally {
      exchange.close();
    }
  }

  private static Dialect dialect(String method, String path) {
    if (!method.equals("POST")) {
      return null;
    }
    if (path.endsWith("/messages")) {
      return AnthropicDialect.INSTANCE;
    }
    if (path.endsWith("/chat/completions")) {
      return ChatCompletionsDialect.INSTANCE;
    }
    if (path.endsWith("/responses")) {
      return ResponsesDialect.INSTANCE;
    }
    if (path.contains(":streamGenerateContent") || path.contains(":generateContent")) {
      return GeminiDialect.INSTANCE;
    }
    return null;
  }

  private Answer resolve(Dialect dialect, ModelRequest request) {
    if (request.afterTool()) {
      return new Answer.Text(afterToolText);
    }
    if (request.structured()) {
      return new Answer.Text(""); // the dialect writes a sample of the schema
    }
    Reply reply = script.apply(request);
    return switch (reply) {
      case Reply.Text t -> new Answer.Text(t.text());
      case Reply.Echo e -> new Answer.Text("echo: " + request.lastUserText());
      case Reply.Error e -> new Answer.Error(e.status(), e.message());
      case Reply.RateLimited l -> {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (l.retryAfterSeconds() > 0) {
          headers.put("retry-after", String.valueOf(l.retryAfterSeconds()));
        }
        if (l.resetEpochSeconds() > 0) {
          headers.put("anthropic-ratelimit-unified-reset", String.valueOf(l.resetEpochSeconds()));
        }
        yield new Answer.Error(429, l.message(), headers);
      }
      case Reply.Shell s -> shellCall(dialect.tools(request.body()), s.command());
    };
  }

  private Answer shellCall(Map<String, JsonNode> tools, String command) {
    for (String name : SHELL_TOOLS) {
      JsonNode schema = tools.get(name);
      if (schema != null) {
        return new Answer.ToolCall(
            "call_" + toolCalls.incrementAndGet(), name, arguments(schema, command));
      }
    }
    return new Answer.Text("the fake model found no shell tool among " + tools.keySet());
  }

  /** Arguments for a shell tool: the command, and a plain value for every other required field. */
  static ObjectNode arguments(JsonNode schema, String command) {
    ObjectNode args = JSON.createObjectNode();
    JsonNode props = schema.path("properties");
    for (String field : List.of("command", "cmd")) {
      JsonNode p = props.path(field);
      if (!p.isMissingNode()) {
        if (p.path("type").asText().equals("array")) {
          args.putArray(field).add("bash").add("-lc").add(command);
        } else {
          args.put(field, command);
        }
      }
    }
    for (String wait : List.of("yield_time_ms", "timeout", "timeout_ms")) {
      String type = props.path(wait).path("type").asText();
      if (type.equals("number") || type.equals("integer")) {
        args.put(wait, 600_000); // the command runs to its end, or until the test stops it
      }
    }
    for (JsonNode req : schema.path("required")) {
      String field = req.asText();
      if (args.has(field)) {
        continue;
      }
      switch (props.path(field).path("type").asText("string")) {
        case "boolean" -> args.put(field, false);
        case "integer", "number" -> args.put(field, 600_000);
        default -> args.put(field, "Runs " + command);
      }
    }
    return args;
  }

  private static JsonNode readBody(InputStream in) throws IOException {
    byte[] bytes = in.readAllBytes();
    if (bytes.length == 0) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException notJson) {
      return JSON.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }

  /**
   * Runs a server by hand: {@code FakeModelServer [text|echo|shell CMD|error MSG]}; Ctrl+C stops
   * it.
   */
  public static void main(String[] args) throws InterruptedException {
    Reply reply =
        switch (args.length == 0 ? "text" : args[0]) {
          case "echo" -> Reply.echo();
          case "shell" -> Reply.shell(args.length > 1 ? args[1] : "echo hi");
          case "error" -> Reply.error(args.length > 1 ? args[1] : "the fake model refuses");
          default -> Reply.text(args.length > 1 ? args[1] : "Hello from the fake model.");
        };
    FakeModelServer server = start(reply);
    server.script(
        r -> {
          Reply chosen = reply;
          if (args.length > 0 && args[0].equals("auto")) {
            String u = r.lastUserText();
            chosen =
                u.contains("run:")
                    ? Reply.shell(u.substring(u.indexOf("run:") + 4).trim())
                    : u.contains("fail")
                        ? Reply.error("the fake model fails on request")
                        : Reply.echo();
          }
          System.out.println(
              r.protocol()
                  + " "
                  + r.path()
                  + " user="
                  + r.lastUserText()
                      .replace('\n', ' ')
                      .substring(0, Math.min(80, r.lastUserText().length()))
                  + " afterTool="
                  + r.afterTool()
                  + " stream="
                  + r.streaming());
          String dump = System.getenv("FAKE_MODEL_DUMP");
          if (dump != null) {
            try {
              java.nio.file.Files.writeString(
                  java.nio.file.Path.of(dump, "req-" + System.nanoTime() + ".json"),
                  r.path() + "\n" + r.body().toPrettyString());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          return chosen;
        });
    System.out.println("fake model on " + server.baseUrl());
    new java.util.concurrent.CountDownLatch(1).await();
  }
}
