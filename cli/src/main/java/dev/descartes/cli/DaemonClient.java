package dev.descartes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descartes.server.DescartesServer;
import dev.descartes.server.Tokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * How the client commands reach the daemon: its URL ({@code --url}, {@code DESCARTES_URL}, the
 * {@code url} file the daemon writes in its data dir, or {@code http://127.0.0.1:7878}) and its
 * token ({@code token} in the data dir: {@code --data-dir}, {@code DESCARTES_DATA_DIR}, or {@code
 * ~/.local/share/descartes}). A picocli mixin.
 *
 * <p>Not thread-safe.
 */
final class DaemonClient {

  static final ObjectMapper MAPPER = new ObjectMapper();

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "The daemon's URL (default: DESCARTES_URL, "
              + "else the one the daemon wrote in its data dir, else http://127.0.0.1:7878).")
  String url;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "The daemon's data dir, for its token "
              + "(default: DESCARTES_DATA_DIR, else ~/.local/share/descartes).")
  Path dataDir;

  private HttpClient http;
  private String token;
  private URI base;

  static Path defaultDataDir() {
    String env = System.getenv("DESCARTES_DATA_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    return (xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "share"))
        .resolve("descartes");
  }

  private void connect() {
    if (http != null) {
      return;
    }
    Path dir = dataDir != null ? dataDir : defaultDataDir();
    try {
      token = Tokens.read(dir);
    } catch (IOException e) {
      throw InputError.noInput(
          "--data-dir",
          "no daemon token in " + dir + " (" + e.getMessage() + ")",
          "start one with 'descartes serve --data-dir "
              + dir
              + "', or point --data-dir or DESCARTES_DATA_DIR at its data dir");
    }
    String u = url != null ? url : System.getenv("DESCARTES_URL");
    if (u == null || u.isBlank()) {
      try {
        u = Files.readString(dir.resolve(DescartesServer.URL_FILE)).strip();
      } catch (IOException e) {
        u = "http://127.0.0.1:" + dev.descartes.server.ServerConfig.DEFAULT_PORT;
      }
    }
    base = URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  JsonNode get(String path) {
    return call("GET", path, null);
  }

  JsonNode post(String path, Object body) {
    return call("POST", path, body);
  }

  JsonNode call(String method, String path, Object body) {
    connect();
    try {
      HttpRequest.Builder b =
          request(path)
              .timeout(Duration.ofSeconds(60))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
              .header("Content-Type", "application/json");
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
      if (r.statusCode() / 100 != 2) {
        throw refused(r.statusCode(), json);
      }
      return json;
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DaemonException("interrupted", ExitCodes.INTERRUPTED);
    }
  }

  /** Reads an SSE stream, giving each event's data to {@code sink}, until its end event. */
  void stream(String path, Consumer<JsonNode> sink) {
    connect();
    try {
      HttpResponse<java.io.InputStream> r =
          http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        throw refused(r.statusCode(), MAPPER.readTree(r.body()));
      }
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String event = "message";
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            if (event.equals("end")) {
              return;
            }
            sink.accept(MAPPER.readTree(line.substring(6)));
          } else if (line.isEmpty()) {
            event = "message";
          }
        }
      }
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + token);
  }

  private RuntimeException refused(int status, JsonNode json) {
    String message = json.path("message").asText("HTTP " + status);
    return switch (status) {
      case 400, 413 -> InputError.data("", message, "see docs/api.md for the request's fields");
      case 404 -> InputError.usage("", message, "check the name or id");
      case 401 ->
          InputError.unavailable(
              "",
              "the daemon refused the token: " + message,
              "point --data-dir or DESCARTES_DATA_DIR at the data dir of the daemon at " + base);
      default ->
          new DaemonException("the daemon answered " + status + ": " + message, ExitCodes.FAILED);
    };
  }

  private InputError unreachable(IOException e) {
    String why =
        e instanceof ConnectException
            ? "nothing listens there"
            : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return InputError.unavailable(
        "",
        "cannot reach the daemon at " + base + " (" + why + ")",
        "start it with 'descartes serve', or give its address with --url or DESCARTES_URL");
  }
}
