package dev.descartes.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;

/** The dashboard's files, served from the jar with a strict Content-Security-Policy. */
final class Static {

  private Static() {}

  static void serve(HttpExchange ex, String name) throws IOException {
    byte[] body;
    try (InputStream in = Static.class.getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw ApiException.notFound("no such file: " + name);
      }
      body = in.readAllBytes();
    }
    String type =
        name.endsWith(".js")
            ? "text/javascript; charset=utf-8"
            : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders()
        .set(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    ex.getResponseHeaders().set("X-Frame-Options", "DENY");
    ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
  }
}
