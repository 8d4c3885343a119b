package dev.descartes.runner;

/**
 * What an agent is doing, derived from its normalized events: working on a turn, between the turns
 * of a multi-turn session, or waiting for someone to answer it. Agents without an event parser (an
 * explicit command) are {@link #BUSY} while they run: nothing tells more. Immutable and
 * thread-safe.
 */
public enum AgentActivity {
  /** Spawned; the CLI has said nothing yet. */
  STARTING,
  /** A turn or a tool call is in progress. */
  BUSY,
  /**
   * A multi-turn session between turns (its last turn answered, no message pending), or a finished
   * turn.
   */
  IDLE,
  /** The agent asked a question or a permission and waits for the answer on its stdin. */
  WAITING_FOR_INPUT,
  /** The process has ended. */
  ENDED
}
