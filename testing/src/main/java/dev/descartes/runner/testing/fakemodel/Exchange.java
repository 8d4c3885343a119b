package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** One HTTP exchange, with the two ways the fake model answers: a JSON body or an SSE stream. */
final class Exchange {

  private final HttpExchange http;

  Exchange(HttpExchange http) {
    this.http = http;
  }

  void json(int status, JsonNode body) throws IOException {
    json(status, body, java.util.Map.of());
  }

  void json(int status, JsonNode body, java.util.Map<String, String> headers) throws IOException {
    headers.forEach(http.getResponseHeaders()::set);
    byte[] bytes = FakeModelServer.JSON.writeValueAsBytes(body);
    http.getResponseHeaders().set("Content-Type", "application/json");
    http.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = http.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Starts a 200 {@code text/event-stream} answer; the caller writes events, then closes it. */
  Sse sse() throws IOException {
    http.getResponseHeaders().set("Content-Type", "text/event-stream");
    http.getResponseHeaders().set("Cache-Control", "no-cache");
    http.sendResponseHeaders(200, 0);
    return new Sse(http.getResponseBody());
  }

  void close() {
    http.close();
  }
}
