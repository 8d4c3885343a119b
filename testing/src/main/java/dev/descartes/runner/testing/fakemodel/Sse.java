package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes server-sent events, flushing each one. Not thread-safe. */
final class Sse {

  private final OutputStream out;

  Sse(OutputStream out) {
    this.out = out;
  }

  /** {@code event: name} then {@code data: json}. */
  void event(String name, JsonNode data) throws IOException {
    write("event: " + name + "\ndata: " + FakeModelServer.JSON.writeValueAsString(data) + "\n\n");
  }

  /** A bare {@code data:} event. */
  void data(JsonNode data) throws IOException {
    data(FakeModelServer.JSON.writeValueAsString(data));
  }

  void data(String text) throws IOException {
    write("data: " + text + "\n\n");
  }

  private void write(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
