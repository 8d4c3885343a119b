package dev.descartes.runner.internal;

import dev.descartes.runner.AgentId;
import org.slf4j.MDC;

/**
 * Puts an agent's id and name in the SLF4J MDC ({@code agent_id}, {@code agent_name}) for the lines
 * logged while it is open, so that every log line about an agent carries them as fields (the JSON
 * log format) or in its prefix (the human one), whatever thread logs it. Closing it restores what
 * the thread had before, so scopes nest.
 *
 * <p>Not thread-safe: a scope belongs to the thread that opened it.
 */
public final class AgentMdc implements AutoCloseable {

  /** The MDC key of the agent's id. */
  public static final String ID = "agent_id";

  /** The MDC key of the agent's name. */
  public static final String NAME = "agent_name";

  private final String previousId;
  private final String previousName;

  private AgentMdc(String id, String name) {
    previousId = MDC.get(ID);
    previousName = MDC.get(NAME);
    MDC.put(ID, id);
    MDC.put(NAME, name);
  }

  /**
   * Opens a scope for the agent {@code id} named {@code name}.
   *
   * @param id the agent's id
   * @param name the agent's name
   * @return the scope, to close on the same thread
   */
  public static AgentMdc of(AgentId id, String name) {
    return new AgentMdc(id.toString(), name);
  }

  /** Restores the thread's previous values. */
  @Override
  public void close() {
    restore(ID, previousId);
    restore(NAME, previousName);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
