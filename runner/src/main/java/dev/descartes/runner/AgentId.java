package dev.descartes.runner;

import java.util.Objects;
import java.util.UUID;

/**
 * The identity of one spawned agent: a random UUID, unique per spawn and never reused.
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the UUID
 */
public record AgentId(UUID value) {

  /** Checks that no component is null. */
  public AgentId {
    Objects.requireNonNull(value, "value");
  }

  /** {@return a new random id} */
  public static AgentId random() {
    return new AgentId(UUID.randomUUID());
  }

  /**
   * Parses the form printed by {@link #toString()}.
   *
   * @param text a UUID, surrounding white space ignored
   * @return the id
   * @throws AgentException.InvalidConfig if {@code text} is not a UUID
   */
  public static AgentId parse(String text) {
    try {
      return new AgentId(UUID.fromString(Objects.requireNonNull(text, "text").strip()));
    } catch (IllegalArgumentException e) {
      throw new AgentException.InvalidConfig(
          "agentId",
          "'"
              + text
              + "' is not an agent id; expected a UUID such as "
              + "'3f2c1a9e-0b7d-4c1e-9a57-2d6f8b1e4c30' as printed by listAgents()");
    }
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
