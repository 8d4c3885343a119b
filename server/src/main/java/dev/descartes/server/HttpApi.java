package dev.descartes.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.descartes.runner.AgentSignal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP routes: authentication (bearer token, or the dashboard's cookie plus its CSRF
 * header on state-changing requests), the JSON API under {@code /api}, Server-Sent Events, {@code
 * /metrics}, and the dashboard's files.
 *
 * <p>Thread-safe: one exchange per virtual thread.
 */
final class HttpApi implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final String COOKIE = "descartes_token";
  static final String CSRF_HEADER = "X-Descartes-CSRF";
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private final Supervisor supervisor;
  private final Tokens tokens;
  private final ServerConfig config;
  private final Path defaultDir = Path.of("").toAbsolutePath();
  private volatile boolean closing;

  HttpApi(Supervisor supervisor, Tokens tokens, ServerConfig config) {
    this.supervisor = supervisor;
    this.tokens = tokens;
    this.config = config;
  }

  void closing() {
    closing = true;
  }

  /** The parts of a request a route needs. */
  private record Request(
      HttpExchange ex, String method, List<String> path, Map<String, String> query) {
    String segment(int i) {
      return i < path.size() ? path.get(i) : "";
    }
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        String rawPath = ex.getRequestURI().getRawPath();
        List<String> path =
            java.util.Arrays.stream(rawPath.split("/"))
                .filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
                .toList();
        Request r =
            new Request(ex, ex.getRequestMethod().toUpperCase(Locale.ROOT), path, query(ex));
        if (path.size() == 1 && path.getFirst().equals("login")) {
          login(r);
          return;
        }
        boolean byCookie = authenticate(r);
        if (!List.of("GET", "HEAD").contains(r.method()) && byCookie) {
          checkCsrf(r);
        }
        route(r);
      } catch (ApiException e) {
        error(ex, e);
      } catch (RuntimeException e) {
        LOG.error("request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
        error(
            ex,
            new ApiException(
                500,
                "internal",
                "the daemon failed on this request: "
                    + e.getClass().getSimpleName()
                    + "; its log has the details"));
      }
    }
  }

  // ---- security ----

  /**
   * Returns true when the request came with the dashboard's cookie rather than the bearer token.
   */
  private boolean authenticate(Request r) {
    String auth = r.ex().getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      if (auth.regionMatches(true, 0, "Bearer ", 0, 7)
          && tokens.matches(auth.substring(7).strip())) {
        return false;
      }
      throw unauthorized(
          "wrong token: give the content of the data dir's 'token' file as 'Authorization: Bearer TOKEN'");
    }
    if (tokens.matches(cookie(r.ex(), COOKIE))) {
      return true;
    }
    throw unauthorized(
        "no token: send 'Authorization: Bearer TOKEN' (the data dir's 'token' file), or open the "
            + "dashboard through the URL 'descartes serve' printed");
  }

  private ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message);
  }

  private void checkCsrf(Request r) {
    Headers h = r.ex().getRequestHeaders();
    String origin = h.getFirst("Origin");
    String host = h.getFirst("Host");
    if (origin != null
        && (host == null
            || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
      throw new ApiException(
          403, "cross_site", "a request from another site (Origin " + origin + ") is refused");
    }
    if (!tokens.csrfMatches(h.getFirst(CSRF_HEADER))) {
      throw new ApiException(
          403,
          "csrf",
          "a state-changing request from the dashboard needs the "
              + CSRF_HEADER
              + " header (GET /api/session gives it)");
    }
  }

  private void login(Request r) throws IOException {
    String t = r.query().get("token");
    if (!tokens.matches(t)) {
      throw unauthorized(
          "wrong or missing token in the login URL; use the URL 'descartes serve' printed");
    }
    r.ex()
        .getResponseHeaders()
        .add("Set-Cookie", COOKIE + "=" + tokens.token() + "; Path=/; HttpOnly; SameSite=Strict");
    r.ex().getResponseHeaders().set("Location", "/");
    r.ex().sendResponseHeaders(303, -1);
  }

  private static String cookie(HttpExchange ex, String name) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String part : header.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
          return part.substring(eq + 1).strip();
        }
      }
    }
    return null;
  }

  // ---- routes ----

  private void route(Request r) throws IOException {
    String top = r.segment(0);
    switch (top) {
      case "", "index.html", "app.js", "style.css" ->
          Static.serve(r.ex(), top.isEmpty() ? "index.html" : top);
      case "metrics" -> metrics(r);
      case "api" -> api(r);
      default -> throw ApiException.notFound("no such page: " + r.ex().getRequestURI().getPath());
    }
  }

  private void api(Request r) throws IOException {
    String what = r.segment(1);
    int n = r.path().size();
    switch (what) {
      case "session" -> {
        expect(r, "GET");
        json(r.ex(), 200, EventJson.MAPPER.createObjectNode().put("csrf", tokens.csrf()));
      }
      case "agents" -> {
        if (n == 2) {
          if (r.method().equals("GET")) {
            json(
                r.ex(),
                200,
                EventJson.MAPPER
                    .createObjectNode()
                    .<ObjectNode>set("agents", supervisor.describeAll())
                    .set("waiting", supervisor.describeWaiting()));
          } else {
            expect(r, "POST");
            AgentSpec spec = Bodies.parse(body(r), AgentSpec.class, false);
            Supervisor.Managed m = supervisor.start(spec.toConfig(defaultDir), null);
            json(r.ex(), 201, supervisor.describe(m));
          }
        } else {
          agent(r, supervisor.find(r.segment(2)), n == 3 ? "" : r.segment(3));
        }
      }
      case "fleets" -> {
        expect(r, "POST");
        boolean yaml = contentType(r).contains("yaml");
        FleetSpec spec = Bodies.parse(body(r), FleetSpec.class, yaml);
        if (yaml && r.query().containsKey("dir")) {
          spec =
              new FleetSpec(
                  r.query().get("dir"), spec.maxConcurrency(), spec.stop(), spec.agents());
        }
        Supervisor.FleetStart f = supervisor.startFleet(spec, defaultDir);
        ObjectNode out = EventJson.MAPPER.createObjectNode().put("fleet", f.fleet());
        var started = out.putArray("agents");
        f.started().forEach(m -> started.add(supervisor.describe(m)));
        var queued = out.putArray("queued");
        f.queued().forEach(queued::add);
        json(r.ex(), 201, out);
      }
      case "events" -> {
        expect(r, "GET");
        sse(r, supervisor.changes());
      }
      case "history" -> {
        expect(r, "GET");
        if (n == 3) {
          json(
              r.ex(),
              200,
              supervisor
                  .history()
                  .get(r.segment(2))
                  .orElseThrow(
                      () -> ApiException.notFound("no run '" + r.segment(2) + "' in the history")));
        } else {
          History.Query q =
              new History.Query(
                  opt(r, "name"),
                  opt(r, "status"),
                  opt(r, "backend"),
                  opt(r, "since").map(HttpApi::instant),
                  opt(r, "limit").map(HttpApi::integer).orElse(100));
          json(
              r.ex(),
              200,
              EventJson.MAPPER.createObjectNode().set("runs", supervisor.history().list(q)));
        }
      }
      default ->
          throw ApiException.notFound(
              "no such API: " + r.ex().getRequestURI().getPath() + "; see docs/api.md");
    }
  }

  private void agent(Request r, Supervisor.Managed m, String action) throws IOException {
    switch (action) {
      case "" -> {
        if (r.method().equals("DELETE")) {
          supervisor.remove(m);
          r.ex().sendResponseHeaders(204, -1);
        } else {
          expect(r, "GET");
          json(r.ex(), 200, supervisor.describe(m));
        }
      }
      case "events" -> {
        expect(r, "GET");
        sse(r, m.log);
      }
      case "signal" -> {
        expect(r, "POST");
        SignalBody b = Bodies.parse(body(r), SignalBody.class, false);
        AgentSignal s;
        try {
          s = AgentSignal.valueOf(String.valueOf(b.signal()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest(
              "signal: '"
                  + b.signal()
                  + "' is not one of interrupt, terminate, kill, pause, resume");
        }
        supervisor.signal(m, s);
        accepted(r, m);
      }
      case "stop" -> {
        expect(r, "POST");
        byte[] raw = body(r);
        StopBody b =
            raw.length == 0 ? new StopBody(null) : Bodies.parse(raw, StopBody.class, false);
        supervisor.stop(m, b.timeout() == null ? null : duration(b.timeout()));
        accepted(r, m);
      }
      case "kill" -> {
        expect(r, "POST");
        body(r);
        supervisor.kill(m);
        accepted(r, m);
      }
      case "stdin" -> {
        expect(r, "POST");
        StdinBody b = Bodies.parse(body(r), StdinBody.class, false);
        supervisor.stdin(
            m,
            b.data() == null ? new byte[0] : b.data().getBytes(StandardCharsets.UTF_8),
            Boolean.TRUE.equals(b.close()));
        accepted(r, m);
      }
      case "message" -> {
        expect(r, "POST");
        MessageBody b = Bodies.parse(body(r), MessageBody.class, false);
        if (b.text() == null || b.text().isBlank()) {
          throw ApiException.badRequest("text: give the message to send");
        }
        supervisor.message(m, b.text());
        accepted(r, m);
      }
      default -> throw ApiException.notFound("no such action '" + action + "'; see docs/api.md");
    }
  }

  /** {@code {"signal": "interrupt"}}. */
  record SignalBody(String signal) {}

  /** {@code {"timeout": "5s"}}. */
  record StopBody(String timeout) {}

  /** {@code {"data": "text", "close": true}}. */
  record StdinBody(String data, Boolean close) {}

  /** {@code {"text": "next message"}}. */
  record MessageBody(String text) {}

  private void accepted(Request r, Supervisor.Managed m) throws IOException {
    json(r.ex(), 202, supervisor.describe(m));
  }

  private void metrics(Request r) throws IOException {
    expect(r, "GET");
    var out = new java.io.ByteArrayOutputStream();
    supervisor.metrics().write(out);
    r.ex().getResponseHeaders().set("Content-Type", Metrics.contentType());
    r.ex().sendResponseHeaders(200, out.size());
    r.ex().getResponseBody().write(out.toByteArray());
  }

  // ---- server-sent events ----

  private void sse(Request r, EventLog log) throws IOException {
    long after = 0;
    String last =
        Optional.ofNullable(r.ex().getRequestHeaders().getFirst("Last-Event-ID"))
            .orElse(r.query().get("after"));
    if (last != null) {
      try {
        after = Long.parseLong(last.strip());
      } catch (NumberFormatException e) {
        throw ApiException.badRequest(
            "Last-Event-ID: '" + last + "' is not an event id (a number)");
      }
    }
    boolean follow = !"false".equals(r.query().get("follow"));
    HttpExchange ex = r.ex();
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("X-Accel-Buffering", "no");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
    long lastWrite = System.nanoTime();
    try {
      while (!closing) {
        EventLog.Batch b = log.read(after, 500, follow ? Duration.ofSeconds(1) : Duration.ZERO);
        if (!follow && b.entries().isEmpty()) {
          b = new EventLog.Batch(b.entries(), b.missed(), true);
        }
        StringBuilder sb = new StringBuilder();
        if (b.missed() > 0) {
          long firstKept = after + b.missed() + 1;
          sb.append("event: gap\ndata: {\"type\":\"gap\",\"missed_events\":")
              .append(b.missed())
              .append(",\"next_id\":")
              .append(firstKept)
              .append("}\n\n");
        }
        for (EventLog.Entry e : b.entries()) {
          sb.append("id: ").append(e.id()).append("\ndata: ").append(e.json()).append("\n\n");
          after = e.id();
        }
        if (b.ended()) {
          sb.append("event: end\ndata: {\"type\":\"end\"}\n\n");
        }
        if (!sb.isEmpty()) {
          out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
          out.flush();
          lastWrite = System.nanoTime();
        } else if (System.nanoTime() - lastWrite > KEEPALIVE.toNanos()) {
          out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          lastWrite = System.nanoTime();
        }
        if (b.ended()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException gone) {
      // the client went away
    }
  }

  // ---- helpers ----

  private byte[] body(Request r) throws IOException {
    String len = r.ex().getRequestHeaders().getFirst("Content-Length");
    if (len != null) {
      try {
        if (Long.parseLong(len.strip()) > config.maxBodyBytes()) {
          throw new ApiException(
              413,
              "too_large",
              "the request body ("
                  + len
                  + " bytes) is larger than "
                  + config.maxBodyBytes()
                  + " bytes; send a smaller one");
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("Content-Length: not a number");
      }
    }
    try (InputStream in = r.ex().getRequestBody()) {
      return Bodies.read(in, config.maxBodyBytes());
    }
  }

  private static String contentType(Request r) {
    return Optional.ofNullable(r.ex().getRequestHeaders().getFirst("Content-Type"))
        .orElse("application/json")
        .toLowerCase(Locale.ROOT);
  }

  private static void expect(Request r, String method) {
    if (!r.method().equals(method)) {
      throw new ApiException(
          405,
          "method_not_allowed",
          r.method()
              + " is not allowed on "
              + r.ex().getRequestURI().getPath()
              + "; use "
              + method);
    }
  }

  private static Optional<String> opt(Request r, String key) {
    return Optional.ofNullable(r.query().get(key)).filter(s -> !s.isBlank());
  }

  private static Instant instant(String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "since: '" + s + "' is not an instant such as 2026-01-31T12:00:00Z");
    }
  }

  private static int integer(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("limit: '" + s + "' is not a number");
    }
  }

  static Duration duration(String s) {
    String t = s.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(
            Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      }
      if (t.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiException.badRequest("timeout: '" + s + "' is not a duration such as 500ms, 5s or 2m");
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int eq = kv.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        q.put(k, v);
      }
    }
    return q;
  }

  static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] b = EventJson.MAPPER.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  private static void error(HttpExchange ex, ApiException e) {
    try {
      // drain what the client sent, so that it reads our answer
      ex.getRequestBody().skip(1L << 22);
    } catch (IOException ignored) {
      // nothing to drain
    }
    try {
      if (e.status() == 401) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      }
      json(
          ex,
          e.status(),
          EventJson.MAPPER
              .createObjectNode()
              .put("error", e.code())
              .put("message", e.getMessage()));
    } catch (IOException | IllegalStateException gone) {
      // headers already sent or client gone
    }
  }
}
