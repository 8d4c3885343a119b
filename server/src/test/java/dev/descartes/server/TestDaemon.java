package dev.descartes.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A daemon in this JVM on a free port with its own data dir, and an HTTP client for it. */
final class TestDaemon implements AutoCloseable {

  static final Path EXAMPLES =
      Path.of(System.getProperty("descartes.examples", "../examples")).toAbsolutePath().normalize();
  static final String FAKE_AGENT = EXAMPLES.resolve("agents/fake-agent.sh").toString();

  final Path dataDir;
  final DescartesServer server;
  final String token;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(60))
          .build();

  TestDaemon() throws IOException {
    this(cfg -> cfg);
  }

  TestDaemon(java.util.function.UnaryOperator<ServerConfig> tweak) throws IOException {
    this(Files.createTempDirectory("descartes-serve-test"), tweak);
  }

  TestDaemon(Path dataDir, java.util.function.UnaryOperator<ServerConfig> tweak)
      throws IOException {
    this.dataDir = dataDir;
    ServerConfig cfg =
        ServerConfig.defaults(dataDir)
            .withListen(new InetSocketAddress("127.0.0.1", 0), false)
            .withStopTimeout(Duration.ofSeconds(3));
    this.server = DescartesServer.start(tweak.apply(cfg));
    this.token = Tokens.read(dataDir);
  }

  URI uri(String path) {
    return URI.create(server.url() + path);
  }

  HttpResponse<String> send(String method, String path, String body)
      throws IOException, InterruptedException {
    return send(method, path, body, "Bearer " + token);
  }

  HttpResponse<String> send(String method, String path, String body, String auth)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofMinutes(5))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = send(method, path, body);
    if (r.statusCode() / 100 != 2) {
      throw new AssertionError(method + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return EventJson.MAPPER.readTree(r.body());
  }

  /** An SSE event read from a stream. */
  record Sse(String event, long id, JsonNode data) {}

  /**
   * Reads an SSE stream until its end event (or until {@code stopAfter} events), returns the
   * events.
   */
  List<Sse> stream(String path, Long lastEventId, int stopAfter)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60))
            .GET();
    if (lastEventId != null) {
      b.header("Last-Event-ID", Long.toString(lastEventId));
    }
    HttpResponse<java.io.InputStream> r =
        http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new AssertionError(
          path
              + " -> "
              + r.statusCode()
              + " "
              + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    List<Sse> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String event = "message";
      long id = -1;
      StringBuilder data = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            Sse e = new Sse(event, id, EventJson.MAPPER.readTree(data.toString()));
            out.add(e);
            if (event.equals("end") || out.size() >= stopAfter) {
              return out;
            }
          }
          event = "message";
          id = -1;
          data.setLength(0);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        }
      }
    }
    return out;
  }

  static String fakeAgent(String name, int steps, double delay, String extraEnv) {
    return """
        {"name": "%s", "command": ["%s"], "task": "task of %s",
         "env": {"STEPS": "%d", "DELAY": "%s", "COST": "0.0100"%s}}
        """
        .formatted(name, FAKE_AGENT, name, steps, delay, extraEnv);
  }

  @Override
  public void close() throws IOException {
    server.close();
    try (Stream<Path> s = Files.walk(dataDir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
