package dev.descartes.runner.internal;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.SessionProtocol;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the runner knows of an agent's CLI beyond its command line: how to parse its events, and how
 * to talk to it in a multi-turn session. Immutable.
 *
 * @param parsers makes one event parser per agent dispatch and per events reader
 * @param session the multi-turn protocol, when the agent was started as a session
 * @param firstMessageSent whether the backend already sent the task as the session's first message
 */
public record CliProtocol(
    Supplier<AgentEventParser> parsers,
    Optional<SessionProtocol> session,
    boolean firstMessageSent) {

  /** An explicit command: nothing to parse, no session. */
  public static final CliProtocol NONE =
      new CliProtocol(AgentEventParser::none, Optional.empty(), false);

  /**
   * The protocol of {@code backend} for {@code config}; the session's protocol only when it asked
   * for one.
   */
  static CliProtocol of(AgentBackend backend, AgentConfig config) {
    Optional<SessionProtocol> session =
        config.multiTurn() ? backend.sessionProtocol() : Optional.empty();
    return new CliProtocol(
        backend::newEventParser, session, config.multiTurn() && !config.task().isBlank());
  }
}
