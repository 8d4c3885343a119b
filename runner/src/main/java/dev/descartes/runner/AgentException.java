package dev.descartes.runner;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that can go wrong when running agents. Unchecked and sealed: a {@code switch} over the
 * nested kinds is exhaustive. Every message says what was wrong and how to fix it; none ever
 * contains an environment value. Not meant to be serialized (hence no serialVersionUID). Instances
 * are immutable and thread-safe.
 */
@SuppressWarnings("serial")
public abstract sealed class AgentException extends RuntimeException {

  private AgentException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The process could not be started: command not found, not executable, too long, ... */
  public static final class SpawnFailed extends AgentException {
    private final String command;

    /**
     * Creates the exception.
     *
     * @param command the program that could not be started
     * @param message what was wrong and how to fix it
     * @param cause what failed underneath; may be null
     */
    public SpawnFailed(String command, String message, Throwable cause) {
      super(message, cause);
      this.command = command;
    }

    /**
     * Creates the exception, with no cause.
     *
     * @param command the program that could not be started
     * @param message what was wrong and how to fix it
     */
    public SpawnFailed(String command, String message) {
      this(command, message, null);
    }

    /** {@return the program that could not be started} */
    public String command() {
      return command;
    }
  }

  /** An operation could not be carried out: unsupported on this platform, runner closed, ... */
  public static final class Execution extends AgentException {
    /**
     * Creates the exception.
     *
     * @param message what was wrong and how to fix it
     * @param cause what failed underneath; may be null
     */
    public Execution(String message, Throwable cause) {
      super(message, cause);
    }

    /**
     * Creates the exception, with no cause.
     *
     * @param message what was wrong and how to fix it
     */
    public Execution(String message) {
      this(message, null);
    }
  }

  /**
   * A kill could not be carried out: the agent's process was still alive after it (for instance the
   * runner ran out of file descriptors, or lacks the permission). The agent's status is then {@link
   * AgentStatus#KILL_FAILED}; a later kill may succeed.
   */
  public static final class KillFailed extends AgentException {
    /**
     * Creates the exception.
     *
     * @param message what was wrong and how to fix it
     * @param cause what failed underneath; may be null
     */
    public KillFailed(String message, Throwable cause) {
      super(message, cause);
    }

    /**
     * Creates the exception, with no cause.
     *
     * @param message what was wrong and how to fix it
     */
    public KillFailed(String message) {
      this(message, null);
    }
  }

  /** Talking to the agent failed: its stdin is closed, or it is gone. */
  public static final class Communication extends AgentException {
    /**
     * Creates the exception.
     *
     * @param message what was wrong and how to fix it
     * @param cause what failed underneath; may be null
     */
    public Communication(String message, Throwable cause) {
      super(message, cause);
    }

    /**
     * Creates the exception, with no cause.
     *
     * @param message what was wrong and how to fix it
     */
    public Communication(String message) {
      this(message, null);
    }
  }

  /** No agent with that id is registered (it may have been removed). */
  public static final class NotFound extends AgentException {
    private final AgentId id;

    /**
     * Creates the exception, with a message that says how to list the known agents.
     *
     * @param id the id that was looked up
     * @throws NullPointerException if {@code id} is null
     */
    public NotFound(AgentId id) {
      super(
          "no agent with id "
              + id
              + " is registered; listAgents() shows the known ones "
              + "(an agent is forgotten once remove() is called)",
          null);
      this.id = Objects.requireNonNull(id);
    }

    /** {@return the id that was looked up} */
    public AgentId id() {
      return id;
    }
  }

  /** Something did not happen in time. */
  public static final class Timeout extends AgentException {
    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param message what was wrong and how to fix it
     * @param timeout the time that was waited
     */
    public Timeout(String message, Duration timeout) {
      super(message, null);
      this.timeout = timeout;
    }

    /** {@return the time that was waited} */
    public Duration timeout() {
      return timeout;
    }
  }

  /** A configuration value is invalid; {@link #field()} names it. */
  public static final class InvalidConfig extends AgentException {
    private final String field;

    /**
     * Creates the exception; its message is {@code field + ": " + message}.
     *
     * @param field the field that is wrong
     * @param message what was wrong and how to fix it
     */
    public InvalidConfig(String field, String message) {
      super(field + ": " + message, null);
      this.field = field;
    }

    /** {@return the field that is wrong, such as {@code "environment"} or {@code "workingDir"}} */
    public String field() {
      return field;
    }
  }

  /** The concurrency cap is reached; finished agents do not count toward it. */
  public static final class LimitReached extends AgentException {
    private final int limit;

    /**
     * Creates the exception.
     *
     * @param limit the configured {@code maxConcurrentAgents}
     * @param message what was wrong and how to fix it
     */
    public LimitReached(int limit, String message) {
      super(message, null);
      this.limit = limit;
    }

    /** {@return the configured {@code maxConcurrentAgents}} */
    public int limit() {
      return limit;
    }
  }

  /**
   * The agent's model provider reported an error (set by backends that parse their CLI's output).
   */
  public static final class Provider extends AgentException {
    private final String kind;

    /**
     * Creates the exception.
     *
     * @param kind the provider's error kind; null when it gave none
     * @param message what was wrong and how to fix it
     */
    public Provider(String kind, String message) {
      super(message, null);
      this.kind = kind;
    }

    /** {@return the provider's error kind, such as {@code "rate_limit"}, when it gave one} */
    public Optional<String> kind() {
      return Optional.ofNullable(kind);
    }
  }

  /**
   * An agent's git worktree could not be made ({@link Worktrees#prepare}); no agent was started.
   */
  public static final class WorkspaceFailed extends AgentException {
    private final String agent;
    private final Reason reason;

    /** Why the worktree could not be made. */
    public enum Reason {
      /** The folder is not inside a git repository. */
      NOT_A_REPOSITORY,
      /** The agent's branch exists already. */
      BRANCH_EXISTS,
      /** The worktree's folder exists already, or another agent of the fleet has it. */
      PATH_TAKEN,
      /** The repository has uncommitted changes, which the worktree would not hold. */
      DIRTY,
      /** git itself failed (not installed, or an error it reported). */
      GIT_FAILED
    }

    /**
     * Creates the exception; its message names the agent.
     *
     * @param agent the agent whose worktree failed
     * @param reason why
     * @param message what was wrong and how to fix it
     * @throws NullPointerException if {@code reason} is null
     */
    public WorkspaceFailed(String agent, Reason reason, String message) {
      super("agent '" + agent + "': workspace: " + message, null);
      this.agent = agent;
      this.reason = Objects.requireNonNull(reason);
    }

    /** {@return the agent whose worktree failed} */
    public String agent() {
      return agent;
    }

    /** {@return why the worktree could not be made} */
    public Reason reason() {
      return reason;
    }
  }

  /**
   * The sandbox an agent asked for cannot be set up on this machine: a program or kernel feature is
   * missing. The message says what is missing and how to get it; {@code descartes doctor} lists
   * what this machine supports. Nothing was started.
   */
  public static final class SandboxUnavailable extends AgentException {
    private final String missing;

    /**
     * Creates the exception.
     *
     * @param missing what is missing, such as {@code "bwrap"}
     * @param message what was wrong and how to fix it
     */
    public SandboxUnavailable(String missing, String message) {
      super(message, null);
      this.missing = missing;
    }

    /** {@return what is missing, such as {@code "bwrap"} or {@code "socat"}} */
    public String missing() {
      return missing;
    }
  }
}
