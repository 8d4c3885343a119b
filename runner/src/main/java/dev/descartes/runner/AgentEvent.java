package dev.descartes.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Something an agent did, in the order it happened: started, wrote a line of stdout, exited.
 *
 * <p>With {@link ProcessRunnerConfig#enableJsonStreaming()} on, a stdout line that is a JSON object
 * arrives as {@link Json}; any other line (plain text, a JSON array, invalid UTF-8, a piece of an
 * over-long line) arrives as {@link RawLine}, never as an exception. A reader that fell behind the
 * in-memory window gets one {@link Gap} saying what it missed. Stream order is kept: {@link
 * Started} first, {@link Exited} last. Events are immutable; the byte arrays they hold are not
 * copied, so do not modify them.
 *
 * <p>For an agent run by a backend that knows its CLI's event stream ({@code claude}, {@code
 * opencode}, {@code codex}, {@code gemini}, {@code qwen}, or a backend with an {@link
 * AgentEventParser}), a recognized JSON line arrives as one or more {@link Normalized} events
 * instead: {@link SessionStarted}, {@link AssistantText}, {@link ToolCall}, {@link ToolResult},
 * {@link Usage} and {@link Result}, the same for every CLI. Each carries the CLI's JSON object as
 * {@link Normalized#raw()}. A JSON line the parser does not recognize stays a {@link Json}.
 */
public sealed interface AgentEvent {

  /** {@return the agent this event belongs to} */
  AgentId agentId();

  /** {@return when the runner saw it} */
  Instant at();

  /**
   * The process started.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param pid the agent's main process
   */
  record Started(AgentId agentId, Instant at, long pid) implements AgentEvent {
    /** Checks that no component is null. */
    public Started {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
    }
  }

  /**
   * A stdout line that is a JSON object, parsed.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param json the parsed object
   * @param line the line as written, newline included
   */
  record Json(AgentId agentId, Instant at, JsonNode json, byte[] line) implements AgentEvent {
    /** Checks that no component is null. */
    public Json {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(json);
      Objects.requireNonNull(line);
    }

    /** {@return the value of the object's {@code "type"} field, or {@code ""}} */
    public String type() {
      return json.path("type").asText("");
    }
  }

  /**
   * A stdout line that is not a JSON object (or JSON streaming is off).
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param line the bytes as written, newline included when there was one
   * @param complete false for a piece of a line longer than {@link
   *     ProcessRunnerConfig#maxLineBytes()}
   */
  record RawLine(AgentId agentId, Instant at, byte[] line, boolean complete) implements AgentEvent {
    /** Checks that no component is null. */
    public RawLine {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(line);
    }

    /** {@return the line decoded as UTF-8 (invalid bytes replaced), without its line terminator} */
    public String text() {
      return OutputLine.decode(line);
    }
  }

  /**
   * This reader fell behind the in-memory window and missed some lines; the transcript on disk,
   * when enabled, still has them.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param missedLines how many lines this reader missed
   * @param missedBytes how many bytes those lines held
   */
  record Gap(AgentId agentId, Instant at, long missedLines, long missedBytes)
      implements AgentEvent {
    /** Checks that no component is null. */
    public Gap {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
    }
  }

  /**
   * The process exited and its output was drained; this is the last event.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param exitStatus how the main process ended
   * @param status the agent's final status
   */
  record Exited(AgentId agentId, Instant at, ExitStatus exitStatus, AgentStatus status)
      implements AgentEvent {
    /** Checks that no component is null. */
    public Exited {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(exitStatus);
      Objects.requireNonNull(status);
    }
  }

  /**
   * An event a backend's parser made from one line of its CLI's JSON output; the same kinds for
   * every CLI. One line may yield several (a Claude {@code result} line gives {@link Usage} then
   * {@link Result}).
   */
  sealed interface Normalized extends AgentEvent
      permits SessionStarted, AssistantText, ToolCall, ToolResult, Usage, Result {
    /** {@return the CLI's JSON object this event was made from} */
    JsonNode raw();
  }

  /**
   * The CLI started (or resumed) a session.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param sessionId the id that {@link AgentConfig.Builder#resumeSession} takes to resume it
   * @param model the model the CLI reports, when it does
   * @param raw the CLI's JSON object
   */
  record SessionStarted(
      AgentId agentId, Instant at, String sessionId, Optional<String> model, JsonNode raw)
      implements Normalized {
    /** Checks that no component is null. */
    public SessionStarted {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(sessionId);
      Objects.requireNonNull(model);
      Objects.requireNonNull(raw);
    }
  }

  /**
   * Text the assistant wrote.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param text the text
   * @param partial true for a streamed piece of a message (a delta), false for a whole message
   * @param raw the CLI's JSON object
   */
  record AssistantText(AgentId agentId, Instant at, String text, boolean partial, JsonNode raw)
      implements Normalized {
    /** Checks that no component is null. */
    public AssistantText {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(text);
      Objects.requireNonNull(raw);
    }
  }

  /**
   * The assistant called a tool.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param id the call's id, matched by the {@link ToolResult} of the same call
   * @param name the tool's name as the CLI calls it ({@code Bash}, {@code bash}, {@code
   *     run_shell_command}, {@code command_execution}, ...)
   * @param input the tool's arguments
   * @param raw the CLI's JSON object
   */
  record ToolCall(AgentId agentId, Instant at, String id, String name, JsonNode input, JsonNode raw)
      implements Normalized {
    /** Checks that no component is null. */
    public ToolCall {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(id);
      Objects.requireNonNull(name);
      Objects.requireNonNull(input);
      Objects.requireNonNull(raw);
    }
  }

  /**
   * A tool call finished.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param id the id of the {@link ToolCall}
   * @param output what the tool returned, as text
   * @param error whether the CLI reports the call as failed (or refused, or cancelled)
   * @param raw the CLI's JSON object
   */
  record ToolResult(
      AgentId agentId, Instant at, String id, String output, boolean error, JsonNode raw)
      implements Normalized {
    /** Checks that no component is null. */
    public ToolResult {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(id);
      Objects.requireNonNull(output);
      Objects.requireNonNull(raw);
    }
  }

  /**
   * Tokens and cost of one step or turn (not a running total): add them up for a total.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param inputTokens tokens sent to the model, cached ones included
   * @param outputTokens tokens the model produced
   * @param costUsd the cost in US dollars, when the CLI reports one
   * @param raw the CLI's JSON object
   */
  record Usage(
      AgentId agentId,
      Instant at,
      long inputTokens,
      long outputTokens,
      OptionalDouble costUsd,
      JsonNode raw)
      implements Normalized {
    /** Checks that no component is null. */
    public Usage {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(costUsd);
      Objects.requireNonNull(raw);
    }
  }

  /**
   * The CLI's verdict on a turn (for a one-shot agent, on the whole task): the last word of a turn.
   *
   * @param agentId the agent
   * @param at when the runner saw it
   * @param success whether the CLI reports the turn as done without error
   * @param text the final answer, or what the CLI said about the error
   * @param errorKind why it failed; empty on success
   * @param errorMessage the CLI's error message; empty on success
   * @param turns the model round trips the CLI counted, when it reports them
   * @param sessionId the session, when the line names it
   * @param raw the CLI's JSON object
   */
  record Result(
      AgentId agentId,
      Instant at,
      boolean success,
      String text,
      Optional<AgentOutcome.ErrorKind> errorKind,
      Optional<String> errorMessage,
      OptionalInt turns,
      Optional<String> sessionId,
      JsonNode raw)
      implements Normalized {
    /** Checks that no component is null. */
    public Result {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(text);
      Objects.requireNonNull(errorKind);
      Objects.requireNonNull(errorMessage);
      Objects.requireNonNull(turns);
      Objects.requireNonNull(sessionId);
      Objects.requireNonNull(raw);
    }
  }
}
