package dev.descartes.runner;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that can go wrong when running agents. Unchecked and sealed: a {@code switch} over the
 * nested kinds is exhaustive. Every message says what was wrong and how to fix it; none ever
 * contains an environment value. Not meant to be serialized (hence no serialVersionUID).
 */
@SuppressWarnings("serial")
public abstract sealed class AgentException extends RuntimeException {

  private AgentException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The process could not be started: command not found, not executable, too long, ... */
  public static final class SpawnFailed extends AgentException {
    private final String command;

    public SpawnFailed(String command, String message, Throwable cause) {
      super(message, cause);
      this.command = command;
    }

    public SpawnFailed(String command, String message) {
      this(command, message, null);
    }

    /** The program that could not be started. */
    public String command() {
      return command;
    }
  }

  /** An operation could not be carried out: unsupported on this platform, runner closed, ... */
  public static final class Execution extends AgentException {
    public Execution(String message, Throwable cause) {
      super(message, cause);
    }

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
    public KillFailed(String message, Throwable cause) {
      super(message, cause);
    }

    public KillFailed(String message) {
      this(message, null);
    }
  }

  /** Talking to the agent failed: its stdin is closed, or it is gone. */
  public static final class Communication extends AgentException {
    public Communication(String message, Throwable cause) {
      super(message, cause);
    }

    public Communication(String message) {
      this(message, null);
    }
  }

  /** No agent with that id is registered (it may have been removed). */
  public static final class NotFound extends AgentException {
    private final AgentId id;

    public NotFound(AgentId id) {
      super(
          "no agent with id "
              + id
              + " is registered; listAgents() shows the known ones "
              + "(an agent is forgotten once remove() is called)",
          null);
      this.id = Objects.requireNonNull(id);
    }

    /** The id that was looked up. */
    public AgentId id() {
      return id;
    }
  }

  /** Something did not happen in time. */
  public static final class Timeout extends AgentException {
    private final Duration timeout;

    public Timeout(String message, Duration timeout) {
      super(message, null);
      this.timeout = timeout;
    }

    /** The time that was waited. */
    public Duration timeout() {
      return timeout;
    }
  }

  /** A configuration value is invalid; {@link #field()} names it. */
  public static final class InvalidConfig extends AgentException {
    private final String field;

    public InvalidConfig(String field, String message) {
      super(field + ": " + message, null);
      this.field = field;
    }

    /** The field that is wrong, such as {@code "environment"} or {@code "workingDir"}. */
    public String field() {
      return field;
    }
  }

  /** The concurrency cap is reached; finished agents do not count toward it. */
  public static final class LimitReached extends AgentException {
    private final int limit;

    public LimitReached(int limit, String message) {
      super(message, null);
      this.limit = limit;
    }

    /** The configured {@code maxConcurrentAgents}. */
    public int limit() {
      return limit;
    }
  }

  /**
   * The agent's model provider reported an error (set by backends that parse their CLI's output).
   */
  public static final class Provider extends AgentException {
    private final String kind;

    public Provider(String kind, String message) {
      super(message, null);
      this.kind = kind;
    }

    /** The provider's error kind, such as {@code "rate_limit"}, when it gave one. */
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

    public WorkspaceFailed(String agent, Reason reason, String message) {
      super("agent '" + agent + "': workspace: " + message, null);
      this.agent = agent;
      this.reason = Objects.requireNonNull(reason);
    }

    /** The agent whose worktree failed. */
    public String agent() {
      return agent;
    }

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

    public SandboxUnavailable(String missing, String message) {
      super(message, null);
      this.missing = missing;
    }

    /** What is missing, such as {@code "bwrap"} or {@code "socat"}. */
    public String missing() {
      return missing;
    }
  }
}
