package dev.descartes.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * Something an agent did, in the order it happened: started, wrote a line of stdout, exited.
 *
 * <p>With {@link ProcessRunnerConfig#enableJsonStreaming()} on, a stdout line that is a JSON
 * object arrives as {@link Json}; any other line (plain text, a JSON array, invalid UTF-8, a piece
 * of an over-long line) arrives as {@link RawLine}, never as an exception. A reader that fell
 * behind the in-memory window gets one {@link Gap} saying what it missed. Stream order is kept:
 * {@link Started} first, {@link Exited} last. Events are immutable; the byte arrays they hold are
 * not copied, so do not modify them.
 */
public sealed interface AgentEvent {

  /** The agent this event belongs to. */
  AgentId agentId();

  /** When the runner saw it. */
  Instant at();

  /** The process started. */
  record Started(AgentId agentId, Instant at, long pid) implements AgentEvent {
    public Started {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
    }
  }

  /**
   * A stdout line that is a JSON object, parsed.
   *
   * @param json the parsed object
   * @param line the line as written, newline included
   */
  record Json(AgentId agentId, Instant at, JsonNode json, byte[] line) implements AgentEvent {
    public Json {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(json);
      Objects.requireNonNull(line);
    }

    /** The value of the object's {@code "type"} field, or {@code ""}. */
    public String type() {
      return json.path("type").asText("");
    }
  }

  /**
   * A stdout line that is not a JSON object (or JSON streaming is off).
   *
   * @param line the bytes as written, newline included when there was one
   * @param complete false for a piece of a line longer than {@link ProcessRunnerConfig#maxLineBytes()}
   */
  record RawLine(AgentId agentId, Instant at, byte[] line, boolean complete) implements AgentEvent {
    public RawLine {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(line);
    }

    /** The line decoded as UTF-8 (invalid bytes replaced), without its line terminator. */
    public String text() {
      return OutputLine.decode(line);
    }
  }

  /**
   * This reader fell behind the in-memory window and missed some lines; the transcript on disk,
   * when enabled, still has them.
   */
  record Gap(AgentId agentId, Instant at, long missedLines, long missedBytes) implements AgentEvent {
    public Gap {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
    }
  }

  /** The process exited and its output was drained; this is the last event. */
  record Exited(AgentId agentId, Instant at, ExitStatus exitStatus, AgentStatus status)
      implements AgentEvent {
    public Exited {
      Objects.requireNonNull(agentId);
      Objects.requireNonNull(at);
      Objects.requireNonNull(exitStatus);
      Objects.requireNonNull(status);
    }
  }
}
