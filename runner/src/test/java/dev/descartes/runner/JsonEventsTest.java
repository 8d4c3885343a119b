package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With JSON streaming on, stdout lines that are JSON objects arrive parsed; everything else raw.
 */
@ExtendWith(LeakCheck.class)
class JsonEventsTest {

  private static final String MIXED =
      String.join(
          "; ",
          "echo '{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s1\"}'",
          "echo 'plain text'",
          "echo '[1,2,3]'",
          "echo '{\"broken\": '",
          "printf '\\377\\376 not utf8\\n'",
          "echo '  {\"type\":\"result\",\"is_error\":false}'");

  @Test
  void jsonObjectLinesArriveParsedAndEverythingElseAsRawLinesInOrder() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("mixed").command(Scripts.shell(MIXED)).build());
      List<AgentEvent> events = new ArrayList<>();
      h.events().forEach(events::add);
      assertThat(events.getFirst()).isInstanceOf(AgentEvent.Started.class);
      assertThat(events.getLast())
          .isInstanceOfSatisfying(
              AgentEvent.Exited.class,
              e -> assertThat(e.status()).isEqualTo(AgentStatus.COMPLETED));
      List<AgentEvent> lines = events.subList(1, events.size() - 1);
      assertThat(lines).hasSize(6);
      assertThat(lines.get(0))
          .isInstanceOfSatisfying(
              AgentEvent.Json.class,
              j -> {
                assertThat(j.type()).isEqualTo("system");
                assertThat(j.json().path("session_id").asText()).isEqualTo("s1");
              });
      assertThat(lines.get(1))
          .isInstanceOfSatisfying(
              AgentEvent.RawLine.class, r -> assertThat(r.text()).isEqualTo("plain text"));
      assertThat(lines.get(2)).isInstanceOf(AgentEvent.RawLine.class);
      assertThat(lines.get(3)).isInstanceOf(AgentEvent.RawLine.class);
      assertThat(lines.get(4))
          .isInstanceOfSatisfying(
              AgentEvent.RawLine.class, r -> assertThat(r.line()[0]).isEqualTo((byte) 0xff));
      assertThat(lines.get(5))
          .isInstanceOfSatisfying(
              AgentEvent.Json.class, j -> assertThat(j.type()).isEqualTo("result"));
    }
  }

  @Test
  void eachIteratorIsAnIndependentReader() throws Exception {
    try (var runner = TestRunners.runner()) {
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder().name("two").command(Scripts.shell("seq 1 100")).build());
      h.waitFor();
      List<AgentEvent> a = new ArrayList<>();
      List<AgentEvent> b = new ArrayList<>();
      h.events().forEach(a::add);
      h.events().forEach(b::add);
      assertThat(a).hasSize(102);
      assertThat(b).hasSize(102);
    }
  }

  @Test
  void listenersSeeEveryEventAsItHappens() throws Exception {
    try (var runner = TestRunners.runner()) {
      List<AgentEvent> all = new CopyOnWriteArrayList<>();
      runner.onEvent(all::add);
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("l").command(Scripts.shell(MIXED)).build());
      h.waitFor();
      assertThat(all).hasSize(8);
      assertThat(all.getFirst()).isInstanceOf(AgentEvent.Started.class);
      assertThat(all.getLast()).isInstanceOf(AgentEvent.Exited.class);
      assertThat(all).allSatisfy(e -> assertThat(e.agentId()).isEqualTo(h.id()));
    }
  }

  @Test
  void aThrowingListenerDoesNotStopDelivery() throws Exception {
    try (var runner = TestRunners.runner()) {
      List<AgentEvent> seen = new CopyOnWriteArrayList<>();
      runner.onEvent(
          e -> {
            throw new IllegalStateException("listener bug");
          });
      runner.onEvent(seen::add);
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("t").command(Scripts.shell("seq 1 10")).build());
      h.waitFor();
      assertThat(seen).hasSize(12);
    }
  }

  @Test
  void listenersThatThrowErrorsDoNotStallTheAgentsOutput() throws Exception {
    // 300,000 lines (about 2 MB) fill the pipe many times over: a stalled stream would block the
    // agent in write(2) and it would never exit
    try (var runner = TestRunners.runner()) {
      AtomicLong lines = new AtomicLong();
      runner.onEvent(
          e -> {
            throw new AssertionError("event listener bug");
          });
      runner.onLine(
          (agent, buf, off, len, complete) -> {
            throw new AssertionError("line listener bug");
          });
      runner.onLine(
          (agent, buf, off, len, complete) -> {
            throw new StackOverflowError("line listener recursion");
          });
      runner.onEvent(
          e -> {
            if (e instanceof AgentEvent.RawLine) {
              lines.incrementAndGet();
            }
          });
      AgentHandle h =
          runner.spawn(
              AgentConfig.builder().name("t").command(Scripts.shell("seq 1 300000")).build());
      h.onEvent(
          e -> {
            throw new AssertionError("handle listener bug");
          });
      assertThat(h.waitFor(Duration.ofSeconds(60))).hasValueSatisfying(s -> s.success());
      assertThat(lines.get()).isEqualTo(300_000);
    }
  }

  @Test
  void withJsonStreamingOffEveryLineIsRaw() throws Exception {
    try (var runner = TestRunners.runner(TestRunners.config().enableJsonStreaming(false))) {
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("raw").command(Scripts.shell(MIXED)).build());
      List<AgentEvent> events = new ArrayList<>();
      h.events().forEach(events::add);
      assertThat(events.subList(1, events.size() - 1))
          .hasSize(6)
          .allMatch(e -> e instanceof AgentEvent.RawLine);
    }
  }

  /**
   * 60,000 lines (more than a pipe holds) of JSON objects, plain text and broken JSON; written
   * while the listener holds the first line back, so that the rest comes in reads of many lines.
   */
  private static final String BULK =
      """
      exec awk 'BEGIN {
        for (i = 0; i < 60000; i++) {
          if (i % 7 == 3) printf "{\\"broken\\": %d\\n", i
          else if (i % 2 == 0) printf "{\\"n\\":%d,\\"pad\\":\\"%s\\"}\\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
          else printf "raw %d\\n", i
        }
      }'
      """;

  private static final int BULK_LINES = 60_000;

  @Test
  void manyLinesReadAtOnceArriveParsedAndInOrder(@TempDir Path dir) throws Exception {
    Path bulk = Scripts.sh(dir, "bulk", BULK);
    try (var runner = TestRunners.runner()) {
      List<AgentEvent> lines = new ArrayList<>();
      CountDownLatch gate = new CountDownLatch(1);
      runner.onEvent(
          e -> {
            if (e instanceof AgentEvent.Json || e instanceof AgentEvent.RawLine) {
              awaitGate(gate);
              lines.add(e);
            }
          });
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("bulk").command(bulk.toString()).build());
      holdUntilBlockedInWrite(h, gate);
      assertThat(h.waitFor(Duration.ofMinutes(2)))
          .hasValueSatisfying(st -> assertThat(st.success()).isTrue());
      assertThat(lines).hasSize(BULK_LINES);
      for (int i = 0; i < BULK_LINES; i++) {
        AgentEvent e = lines.get(i);
        if (i % 7 == 3) {
          assertThat(e).isInstanceOf(AgentEvent.RawLine.class);
          assertThat(((AgentEvent.RawLine) e).text()).isEqualTo("{\"broken\": " + i);
        } else if (i % 2 == 0) {
          assertThat(e).isInstanceOf(AgentEvent.Json.class);
          assertThat(((AgentEvent.Json) e).json().path("n").asInt()).isEqualTo(i);
        } else {
          assertThat(((AgentEvent.RawLine) e).text()).isEqualTo("raw " + i);
        }
      }
    }
  }

  @Test
  void aCliParserSeesManyLinesReadAtOnceInOrder(@TempDir Path dir) throws Exception {
    Path bulk = Scripts.sh(dir, "bulk", BULK);
    AgentBackend numbered =
        TemplateBackend.builder("numbered")
            .command(bulk.toString())
            .eventParser(
                () ->
                    new AgentEventParser() {
                      private int last = -1;

                      @Override
                      public List<AgentEvent> parse(AgentId agentId, Instant at, JsonNode json) {
                        int n = json.path("n").asInt();
                        if (n <= last) {
                          throw new IllegalStateException("line " + n + " after " + last);
                        }
                        last = n;
                        return List.of(
                            new AgentEvent.AssistantText(agentId, at, "t" + n, false, json));
                      }
                    })
            .build();
    try (var runner = TestRunners.runner(TestRunners.config().backend(numbered))) {
      List<AgentEvent> lines = new ArrayList<>();
      CountDownLatch gate = new CountDownLatch(1);
      runner.onEvent(
          e -> {
            if (!(e instanceof AgentEvent.Started) && !(e instanceof AgentEvent.Exited)) {
              awaitGate(gate);
              lines.add(e);
            }
          });
      AgentHandle h =
          runner.spawn(AgentConfig.builder().name("n").modelBackend("numbered").task("go").build());
      holdUntilBlockedInWrite(h, gate);
      assertThat(h.waitFor(Duration.ofMinutes(2))).isPresent();
      assertThat(lines).hasSize(BULK_LINES);
      for (int i = 0; i < BULK_LINES; i++) {
        AgentEvent e = lines.get(i);
        if (i % 7 == 3) {
          assertThat(((AgentEvent.RawLine) e).text()).isEqualTo("{\"broken\": " + i);
        } else if (i % 2 == 0) {
          assertThat(((AgentEvent.AssistantText) e).text()).isEqualTo("t" + i);
        } else {
          assertThat(((AgentEvent.RawLine) e).text()).isEqualTo("raw " + i);
        }
      }
    }
  }

  /** Opens {@code gate} once the agent waits in {@code write} on its full stdout pipe. */
  private static void holdUntilBlockedInWrite(AgentHandle h, CountDownLatch gate) {
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> wchan(h.pid()).contains("pipe_write") || h.status().isTerminal());
    } finally {
      gate.countDown();
    }
  }

  private static String wchan(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "wchan"));
    } catch (IOException gone) {
      return "";
    }
  }

  private static void awaitGate(CountDownLatch gate) {
    try {
      if (!gate.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
