package dev.descartes.runner;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What an agent achieved, by its CLI's own account: success or failure is taken from the CLI's last
 * {@link AgentEvent.Result}, not from the exit code (qwen and gemini can exit 0 after an error or a
 * signal; claude exits 0 after an interrupt). An agent that ended without a final result failed
 * with {@link ErrorKind#NO_RESULT}, or {@link ErrorKind#INTERRUPTED} when it was stopped. Agents
 * without an event parser (an explicit command, the generic {@code <program>-cli} rule) have no
 * verdict of their own: their outcome follows the exit code.
 *
 * <p>{@link AgentStatus} stays the runner's view (by exit and by who asked it to stop); this record
 * is the CLI's. Built by the runner from every line of stdout as it is read, whether or not anyone
 * reads the events, and available from {@link AgentHandle#outcome()} once the agent has ended.
 * Immutable and thread-safe.
 *
 * @param success whether the CLI reported its (last) turn as successful
 * @param resultText the CLI's final answer, or what it said about the error
 * @param errorKind why it failed; empty on success
 * @param errorMessage the CLI's own error message; empty on success
 * @param costUsd the total cost in US dollars, when the CLI reports costs
 * @param inputTokens the input tokens of every step, summed
 * @param outputTokens the output tokens of every step, summed
 * @param turns the model round trips, summed over the CLI's results, when it reports them
 * @param sessionId the CLI's session id, which {@link AgentConfig.Builder#resumeSession} takes
 * @param exitStatus how the process ended
 */
public record AgentOutcome(
    boolean success,
    Optional<String> resultText,
    Optional<ErrorKind> errorKind,
    Optional<String> errorMessage,
    OptionalDouble costUsd,
    long inputTokens,
    long outputTokens,
    OptionalInt turns,
    Optional<String> sessionId,
    ExitStatus exitStatus) {

  /** Why an agent's turn failed, the same for every CLI. */
  public enum ErrorKind {
    /** The model provider answered with an error (HTTP error, quota, invalid request, ...). */
    API_ERROR,
    /** The CLI stopped at its turn limit. */
    MAX_TURNS,
    /** The turn was cancelled: an interrupt, a signal, a stop of the agent. */
    INTERRUPTED,
    /** The CLI failed while working (a tool, a crash, a bad configuration). */
    EXECUTION_ERROR,
    /** The process ended without the CLI's final result (killed, crashed, or exited early). */
    NO_RESULT,
    /**
     * The agent's tree went past its memory limit and the kernel killed it ({@link
     * ResourceLimits#memoryBytes()}).
     */
    MEMORY_LIMIT,
    /**
     * The agent ran past its runtime limit and the runner stopped it ({@link
     * ResourceLimits#runtime()}).
     */
    RUNTIME_LIMIT,
    /**
     * The agent wrote more than its output limit and the runner stopped it ({@link
     * ResourceLimits#outputBytesPerStream()}).
     */
    OUTPUT_LIMIT,
    /**
     * The agent's tree hit its process limit ({@link ResourceLimits#maxProcesses()}) and then
     * failed.
     */
    PIDS_LIMIT,
    /** The agent spent its cost budget (its own, or its fleet's) and was stopped. */
    BUDGET;

    /** {@return whether this kind says a resource limit ended the agent} */
    public boolean isLimit() {
      return this == MEMORY_LIMIT
          || this == RUNTIME_LIMIT
          || this == OUTPUT_LIMIT
          || this == PIDS_LIMIT;
    }
  }

  /** Checks that no component is null. */
  public AgentOutcome {
    Objects.requireNonNull(resultText, "resultText");
    Objects.requireNonNull(errorKind, "errorKind");
    Objects.requireNonNull(errorMessage, "errorMessage");
    Objects.requireNonNull(costUsd, "costUsd");
    Objects.requireNonNull(turns, "turns");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(exitStatus, "exitStatus");
  }

  /**
   * {@return {@link AgentException.Provider} for a failed outcome (its kind is the {@link
   * ErrorKind}), else empty}
   */
  public Optional<AgentException.Provider> asException() {
    if (success) {
      return Optional.empty();
    }
    String kind = errorKind.map(Enum::name).orElse(ErrorKind.EXECUTION_ERROR.name());
    return Optional.of(
        new AgentException.Provider(
            kind,
            "the agent failed ("
                + kind
                + ", "
                + exitStatus
                + "): "
                + errorMessage.or(() -> resultText).orElse("no message")));
  }
}
