package dev.descartes.runner.testing.fakemodel;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;

/** One model API: how to read its requests and write its answers. Stateless. */
interface Dialect {

  /** The request as the server sees it. */
  ModelRequest read(String path, JsonNode body);

  /** The tools the request offers, by name, with their JSON schema for parameters. */
  Map<String, JsonNode> tools(JsonNode body);

  /** Writes {@code answer} to the exchange, streamed when the request asked for it. */
  void write(Exchange exchange, ModelRequest request, Answer answer) throws IOException;
}
