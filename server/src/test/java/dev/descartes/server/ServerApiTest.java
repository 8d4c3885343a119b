package dev.descartes.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.testing.LeakCheck;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class ServerApiTest {

  @Test
  void anAgentStartedThroughTheApiStreamsItsEventsWithIncreasingIdsAndEndsInTheHistory()
      throws Exception {
    try (TestDaemon d = new TestDaemon()) {
      JsonNode a = d.json("POST", "/api/agents", TestDaemon.fakeAgent("alpha", 2, 0.05, ""));
      String id = a.get("id").asText();
      assertThat(a.get("status").asText()).isIn("running", "completed");

      List<TestDaemon.Sse> events =
          d.stream("/api/agents/" + id + "/events", null, Integer.MAX_VALUE);
      List<String> types = events.stream().map(e -> e.data().path("type").asText()).toList();
      assertThat(types)
          .startsWith("started", "session_started")
          .contains("assistant_text", "tool_call", "tool_result", "result", "exited")
          .endsWith("end");
      List<Long> ids = events.stream().filter(e -> e.id() > 0).map(TestDaemon.Sse::id).toList();
      assertThat(ids).isSorted().doesNotHaveDuplicates().first().isEqualTo(1L);
      assertThat(ids.getLast()).isEqualTo(ids.size());
      assertThat(
              events.stream()
                  .filter(e -> e.data().path("type").asText().equals("tool_call"))
                  .findFirst()
                  .orElseThrow()
                  .data()
                  .path("line")
                  .asText())
          .isEqualTo("→ Bash  ls -1");

      JsonNode got = d.json("GET", "/api/agents/alpha", null);
      assertThat(got.get("status").asText()).isEqualTo("completed");
      assertThat(got.path("outcome").path("success").asBoolean()).isTrue();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  d.json("GET", "/api/history?name=alpha", null)
                      .path("runs")
                      .path(0)
                      .path("status")
                      .asText()
                      .equals("completed"));
      JsonNode run = d.json("GET", "/api/history/" + id, null);
      assertThat(run.get("cost_usd").asDouble()).isEqualTo(0.01);
      assertThat(run.get("turns").asInt()).isEqualTo(2);
      assertThat(run.get("session_id").asText()).isNotBlank();
      assertThat(run.get("exit_code").asInt()).isZero();
      assertThat(run.get("transcript_path").asText())
          .startsWith(d.dataDir.resolve("transcripts").toString());
      assertThat(run.path("status_changes").findValuesAsText("status"))
          .containsExactly("starting", "running", "completed");
    }
  }

  @Test
  void aClientThatReconnectsWithLastEventIdGetsEveryEventItMissed() throws Exception {
    try (TestDaemon d = new TestDaemon()) {
      String id =
          d.json("POST", "/api/agents", TestDaemon.fakeAgent("beta", 4, 0.05, ""))
              .get("id")
              .asText();
      List<TestDaemon.Sse> first = d.stream("/api/agents/" + id + "/events", null, 3);
      long last = first.getLast().id();
      List<TestDaemon.Sse> rest =
          d.stream("/api/agents/" + id + "/events", last, Integer.MAX_VALUE);
      List<TestDaemon.Sse> all = d.stream("/api/agents/" + id + "/events", null, Integer.MAX_VALUE);

      List<Long> joined =
          new java.util.ArrayList<>(first.stream().map(TestDaemon.Sse::id).toList());
      rest.stream().filter(e -> e.id() > 0).forEach(e -> joined.add(e.id()));
      assertThat(joined)
          .containsExactlyElementsOf(
              all.stream().filter(e -> e.id() > 0).map(TestDaemon.Sse::id).toList());
      assertThat(rest.getFirst().id()).isEqualTo(last + 1);
    }
  }

  @Test
  void theTokenFileIsPrivateAndRequestsWithoutTheRightTokenAreRefusedAndStartNothing()
      throws Exception {
    try (TestDaemon d = new TestDaemon()) {
      assertThat(Files.getPosixFilePermissions(d.dataDir.resolve("token")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      String body = TestDaemon.fakeAgent("intruder", 1, 0.01, "");
      assertThat(d.send("POST", "/api/agents", body, null).statusCode()).isEqualTo(401);
      assertThat(d.send("POST", "/api/agents", body, "Bearer wrong").statusCode()).isEqualTo(401);
      assertThat(d.send("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
      assertThat(d.send("GET", "/metrics", null, "Bearer wrong").statusCode()).isEqualTo(401);
      assertThat(d.send("GET", "/", null, null).statusCode()).isEqualTo(401);

      HttpResponse<String> big =
          d.send("POST", "/api/agents", "{\"name\":\"" + "x".repeat(2 << 20) + "\"}");
      assertThat(big.statusCode()).isEqualTo(413);
      HttpResponse<String> malformed = d.send("POST", "/api/agents", "{\"name\": \"a\",");
      assertThat(malformed.statusCode()).isEqualTo(400);
      assertThat(malformed.body()).contains("malformed JSON");
      HttpResponse<String> unknown =
          d.send(
              "POST", "/api/agents", "{\"name\":\"a\",\"command\":[\"true\"],\"colour\":\"red\"}");
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(unknown.body()).contains("unknown field 'colour'").contains("known fields");
      HttpResponse<String> incomplete = d.send("POST", "/api/agents", "{\"name\":\"a\"}");
      assertThat(incomplete.statusCode()).isEqualTo(400);
      assertThat(incomplete.body()).contains("needs a 'backend'");
      HttpResponse<String> badFleet =
          d.send(
              "POST",
              "/api/fleets",
              "{\"agents\":{\"a\":{\"command\":\"true\"}," + "\"b\":{\"backend\":\"claude\"}}}");
      assertThat(badFleet.statusCode()).isEqualTo(400);
      assertThat(badFleet.body()).contains("agent 'b'").contains("needs a 'task'");

      assertThat(d.json("GET", "/api/agents", null).get("agents")).isEmpty();
      assertThat(d.json("GET", "/api/history", null).get("runs")).isEmpty();
    }
  }

  @Test
  void aSecretEnvironmentValueAppearsInNoResponseMetricOrHistory() throws Exception {
    String secret = "s3cr3t-" + java.util.UUID.randomUUID();
    try (TestDaemon d = new TestDaemon()) {
      String id =
          d.json(
                  "POST",
                  "/api/agents",
                  TestDaemon.fakeAgent("gamma", 1, 0.01, ", \"API_KEY\": \"" + secret + "\""))
              .get("id")
              .asText();
      d.stream("/api/agents/" + id + "/events", null, Integer.MAX_VALUE);
      StringBuilder everything = new StringBuilder();
      for (String p :
          List.of(
              "/api/agents",
              "/api/agents/" + id,
              "/api/history",
              "/api/history/" + id,
              "/metrics",
              "/api/agents/" + id + "/events")) {
        HttpResponse<String> r = d.send("GET", p, null);
        assertThat(r.statusCode()).as(p).isEqualTo(200);
        everything.append(r.body());
      }
      assertThat(everything).contains("API_KEY").doesNotContain(secret);
      assertThat(Files.readString(d.dataDir.resolve("url"))).doesNotContain(secret);
    }
  }

  @Test
  void aFleetWhoseHistoryDatabaseFailsStillRunsEveryAgentToItsEnd() throws Exception {
    try (TestDaemon d = new TestDaemon()) {
      // a real failure of the daemon's SQLite file: its tables are gone, so every write fails
      try (var db =
              java.sql.DriverManager.getConnection(
                  "jdbc:sqlite:" + d.dataDir.resolve("history.db"));
          var sql = db.createStatement()) {
        sql.executeUpdate("DROP TABLE status_changes");
        sql.executeUpdate("DROP TABLE runs");
      }
      String fleet =
          "{\"maxConcurrency\": 1, \"agents\": {"
              + "\"a\": {\"command\": \"echo a\"}, \"b\": {\"command\": \"echo b\"},"
              + " \"c\": {\"command\": \"echo c\"}}}";
      JsonNode started = d.json("POST", "/api/fleets", fleet);
      assertThat(started.get("agents")).hasSize(1);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                JsonNode all = d.json("GET", "/api/agents", null);
                return all.get("waiting").isEmpty()
                    && all.get("agents").size() == 3
                    && java.util.stream.StreamSupport.stream(all.get("agents").spliterator(), false)
                        .allMatch(a -> a.get("status").asText().equals("completed"));
              });
    }
  }

  @Test
  void stopAndKillEndAnAgentAndMetricsCountSpawnsAndExits() throws Exception {
    try (TestDaemon d = new TestDaemon()) {
      String a =
          d.json("POST", "/api/agents", "{\"name\":\"sleeper\",\"command\":\"sleep 60\"}")
              .get("id")
              .asText();
      String b =
          d.json("POST", "/api/agents", "{\"name\":\"sleeper2\",\"command\":\"sleep 60\"}")
              .get("id")
              .asText();
      assertThat(d.send("POST", "/api/agents/" + a + "/stop", "{\"timeout\":\"2s\"}").statusCode())
          .isEqualTo(202);
      assertThat(d.send("POST", "/api/agents/" + b + "/kill", "").statusCode()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  d.json("GET", "/api/agents/" + a, null)
                          .get("status")
                          .asText()
                          .equals("terminated")
                      && d.json("GET", "/api/agents/" + b, null)
                          .get("status")
                          .asText()
                          .equals("terminated"));
      assertThat(d.send("DELETE", "/api/agents/" + a, null).statusCode()).isEqualTo(204);
      assertThat(d.send("GET", "/api/agents/" + a, null).statusCode()).isEqualTo(404);
      String metrics = d.send("GET", "/metrics", null).body();
      assertThat(metrics)
          .contains("descartes_agent_spawns_total{backend=\"command\"} 2.0")
          .contains("descartes_agent_exits_total{backend=\"command\",status=\"terminated\"} 2.0")
          .contains("descartes_spawn_latency_seconds_bucket")
          .contains("descartes_agents{status=\"terminated\"} 1");
    }
  }

  @Test
  void stdinReachesTheAgentAndAMessageToASingleTurnAgentIsRefused() throws Exception {
    try (TestDaemon d = new TestDaemon()) {
      String id =
          d.json(
                  "POST",
                  "/api/agents",
                  "{\"name\":\"echo\",\"command\":\"read line; echo got $line\"}")
              .get("id")
              .asText();
      HttpResponse<String> message =
          d.send("POST", "/api/agents/echo/message", "{\"text\":\"hi\"}");
      assertThat(message.statusCode()).isEqualTo(409);
      assertThat(message.body()).contains("not a multi-turn agent");
      assertThat(d.send("POST", "/api/agents/echo/signal", "{\"signal\":\"hup\"}").statusCode())
          .isEqualTo(400);
      assertThat(
              d.send(
                      "POST",
                      "/api/agents/" + id + "/stdin",
                      "{\"data\":\"hello\\n\",\"close\":true}")
                  .statusCode())
          .isEqualTo(202);
      List<TestDaemon.Sse> events =
          d.stream("/api/agents/" + id + "/events", null, Integer.MAX_VALUE);
      assertThat(events.stream().map(e -> e.data().path("line").asText()))
          .contains("got hello", "✓ completed");
      assertThat(d.send("GET", "/api/agents/nobody", null).statusCode()).isEqualTo(404);
    }
  }
}
