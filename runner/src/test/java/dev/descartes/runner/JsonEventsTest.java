package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
}
