package dev.descartes.runner.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import dev.descartes.runner.testing.LeakCheck;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The built-in parsers on lines the real CLIs wrote (trimmed), including the ones whose verdict
 * differs from their exit code.
 */
@ExtendWith(LeakCheck.class)
class EventParsersTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AgentId ID = AgentId.random();

  private static List<AgentEvent> parse(String format, String... lines) throws Exception {
    AgentEventParser parser = AgentEventParser.forFormat(format).orElseThrow();
    List<AgentEvent> out = new ArrayList<>();
    for (String line : lines) {
      out.addAll(parser.parse(ID, Instant.now(), JSON.readTree(line)));
    }
    return out;
  }

  @Test
  void claudeApiErrorResultIsAFailureEvenWithSubtypeSuccess() throws Exception {
    List<AgentEvent> events =
        parse(
            "claude",
            "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"api_error_status\":400,"
                + "\"terminal_reason\":\"api_error\",\"result\":\"API Error: 400 quota\",\"num_turns\":1,"
                + "\"total_cost_usd\":0,\"usage\":{\"input_tokens\":0,\"output_tokens\":0},\"session_id\":\"s1\"}");
    AgentEvent.Result r = (AgentEvent.Result) events.getLast();
    assertThat(r.success()).isFalse();
    assertThat(r.errorKind()).contains(ErrorKind.API_ERROR);
    assertThat(r.sessionId()).contains("s1");
  }

  @Test
  void claudeCostIsSplitIntoPerTurnShares() throws Exception {
    List<AgentEvent> events =
        parse(
            "claude",
            "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"a\",\"total_cost_usd\":0.25,"
                + "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":5,\"output_tokens\":3}}",
            "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"b\",\"total_cost_usd\":0.75,"
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":3}}");
    List<AgentEvent.Usage> usage =
        events.stream()
            .filter(AgentEvent.Usage.class::isInstance)
            .map(AgentEvent.Usage.class::cast)
            .toList();
    assertThat(usage).extracting(u -> u.costUsd().getAsDouble()).containsExactly(0.25, 0.5);
    assertThat(usage.getFirst().inputTokens()).isEqualTo(15);
  }

  @Test
  void claudeInterruptedTurnIsInterrupted() throws Exception {
    List<AgentEvent> events =
        parse(
            "claude",
            "{\"type\":\"result\",\"subtype\":\"error_during_execution\",\"is_error\":true,"
                + "\"terminal_reason\":\"aborted_tools\",\"errors\":[\"interrupted\"],\"usage\":{}}");
    AgentEvent.Result r = (AgentEvent.Result) events.getLast();
    assertThat(r.errorKind()).contains(ErrorKind.INTERRUPTED);
    assertThat(r.errorMessage()).contains("interrupted");
  }

  @Test
  void qwenApiErrorReportedAsSuccessCountsAsFailure() throws Exception {
    List<AgentEvent> events =
        parse(
            "qwen",
            "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"[API Error: 429 rate limited]\","
                + "\"num_turns\":1,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}");
    AgentEvent.Result r = (AgentEvent.Result) events.getLast();
    assertThat(r.success()).isFalse();
    assertThat(r.errorKind()).contains(ErrorKind.API_ERROR);
  }

  @Test
  void claudeToolCallAndResultKeepTheirIdsAndRawJson() throws Exception {
    List<AgentEvent> events =
        parse(
            "claude",
            "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"},"
                + "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}]}}",
            "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"a.txt\"}],\"is_error\":false}]}}",
            "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"h\"}}}");
    assertThat(events).hasSize(4);
    assertThat(events.get(1))
        .isInstanceOfSatisfying(
            AgentEvent.ToolCall.class,
            c -> {
              assertThat(c.id()).isEqualTo("t1");
              assertThat(c.input().path("command").asText()).isEqualTo("ls");
              assertThat(c.raw().path("type").asText()).isEqualTo("assistant");
            });
    assertThat(events.get(2))
        .isInstanceOfSatisfying(
            AgentEvent.ToolResult.class, r -> assertThat(r.output()).isEqualTo("a.txt"));
    assertThat(events.get(3))
        .isInstanceOfSatisfying(
            AgentEvent.AssistantText.class, t -> assertThat(t.partial()).isTrue());
  }

  @Test
  void opencodeRunEndsWithAStopStepOrAnErrorLine() throws Exception {
    List<AgentEvent> ok =
        parse(
            "opencode",
            "{\"type\":\"text\",\"sessionID\":\"ses_1\",\"part\":{\"type\":\"text\",\"text\":\"done\"}}",
            "{\"type\":\"step_finish\",\"sessionID\":\"ses_1\",\"part\":{\"reason\":\"stop\",\"tokens\":{\"input\":12,"
                + "\"output\":7,\"reasoning\":0,\"cache\":{\"write\":0,\"read\":0}},\"cost\":0}}");
    assertThat(ok.getFirst()).isInstanceOf(AgentEvent.SessionStarted.class);
    assertThat(ok.getLast())
        .isInstanceOfSatisfying(
            AgentEvent.Result.class,
            r -> {
              assertThat(r.success()).isTrue();
              assertThat(r.text()).isEqualTo("done");
            });
    List<AgentEvent> failed =
        parse(
            "opencode",
            "{\"type\":\"error\",\"sessionID\":\"ses_1\",\"error\":{\"name\":\"APIError\",\"data\":{\"message\":\"quota\","
                + "\"statusCode\":400}}}");
    assertThat(failed.getLast())
        .isInstanceOfSatisfying(
            AgentEvent.Result.class,
            r -> {
              assertThat(r.success()).isFalse();
              assertThat(r.errorKind()).contains(ErrorKind.API_ERROR);
            });
  }

  @Test
  void codexTurnFailedIsAnApiErrorAndErrorItemsAreNotFailures() throws Exception {
    List<AgentEvent> events =
        parse(
            "codex",
            "{\"type\":\"thread.started\",\"thread_id\":\"th1\"}",
            "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"error\",\"message\":\"Model metadata not found\"}}",
            "{\"type\":\"turn.failed\",\"error\":{\"message\":\"{\\\"error\\\":{\\\"message\\\":\\\"quota\\\"}}\"}}");
    assertThat(events).hasSize(2);
    assertThat(events.getLast())
        .isInstanceOfSatisfying(
            AgentEvent.Result.class,
            r -> {
              assertThat(r.success()).isFalse();
              assertThat(r.errorKind()).contains(ErrorKind.API_ERROR);
              assertThat(r.sessionId()).contains("th1");
            });
  }

  @Test
  void geminiResultTakesTheAssistantTextAndErrorStatus() throws Exception {
    List<AgentEvent> ok =
        parse(
            "gemini",
            "{\"type\":\"init\",\"session_id\":\"g1\",\"model\":\"gemini-2.5-flash\"}",
            "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"Hel\",\"delta\":true}",
            "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"lo\",\"delta\":true}",
            "{\"type\":\"result\",\"status\":\"success\",\"stats\":{\"input_tokens\":3,\"output_tokens\":2}}");
    assertThat(ok.getLast())
        .isInstanceOfSatisfying(
            AgentEvent.Result.class, r -> assertThat(r.text()).isEqualTo("Hello"));
    List<AgentEvent> failed =
        parse(
            "gemini",
            "{\"type\":\"result\",\"status\":\"error\",\"error\":{\"type\":\"unknown\",\"message\":\"[API Error: quota]\"},\"stats\":{}}");
    assertThat(failed.getLast())
        .isInstanceOfSatisfying(
            AgentEvent.Result.class, r -> assertThat(r.errorKind()).contains(ErrorKind.API_ERROR));
  }

  @Test
  void unknownLinesYieldNoEventsSoTheyStayJson() throws Exception {
    assertThat(parse("claude", "{\"type\":\"control_response\",\"response\":{}}")).isEmpty();
    assertThat(parse("codex", "{\"type\":\"error\",\"message\":\"reconnecting\"}")).isEmpty();
    assertThat(AgentEventParser.forFormat("nonsense")).isEmpty();
  }
}
