package dev.descartes.runner;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How an {@link AgentPool} keeps agents of one configuration ready: the agent's config (claude or
 * qwen with {@link AgentConfig#multiTurn()}, or any {@code command} agent that reads tasks on
 * stdin), how many to keep warm, the most at once, how long a spare agent may stay idle, how long
 * {@link AgentPool#lease()} waits, how often idle agents are checked, and whether a released agent
 * may serve another lease. Immutable and thread-safe.
 *
 * @param agent what each pooled agent runs; its task, when not empty, is sent as a warm-up message
 *     before the agent counts as ready
 * @param minWarm how many ready agents the pool keeps waiting for leases
 * @param maxAgents the most agents the pool has at once: leased, ready and starting
 * @param idleTimeout a ready agent above {@code minWarm} that waited this long is stopped
 * @param leaseTimeout how long {@link AgentPool#lease()} waits for a ready agent
 * @param readyTimeout how long a new agent may take to become ready before it is given up
 * @param healthCheckInterval how often idle agents are checked; a dead or unhealthy one is replaced
 * @param healthCheck what an idle agent must pass to be handed out (beyond being alive)
 * @param reuse whether a released agent that is alive and between turns goes back to the pool for
 *     another lease (its conversation goes on); when false, every lease gets a fresh agent
 * @param stopTimeout how long a released agent gets to end before SIGKILL
 */
public record PoolConfig(
    AgentConfig agent,
    int minWarm,
    int maxAgents,
    Duration idleTimeout,
    Duration leaseTimeout,
    Duration readyTimeout,
    Duration healthCheckInterval,
    Optional<Predicate<AgentHandle>> healthCheck,
    boolean reuse,
    Duration stopTimeout) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if a field other than {@code healthCheck} is null
   * @throws AgentException.InvalidConfig naming the field that is wrong: an agent that cannot take
   *     tasks after it started, {@code maxAgents} below 1, {@code minWarm} outside 0 to {@code
   *     maxAgents}, or a health-check interval that is not positive
   */
  public PoolConfig {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(leaseTimeout, "leaseTimeout");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    Objects.requireNonNull(healthCheckInterval, "healthCheckInterval");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    healthCheck = Objects.requireNonNullElse(healthCheck, Optional.empty());
    if (!agent.hasCommand() && !agent.multiTurn()) {
      throw new AgentException.InvalidConfig(
          "agent",
          "a pooled "
              + agent.modelBackend()
              + " agent must be "
              + "multi-turn (AgentConfig.builder().multiTurn(true)) to take tasks after it started; or give a command "
              + "that reads tasks on stdin");
    }
    if (maxAgents < 1) {
      throw new AgentException.InvalidConfig("maxAgents", "is " + maxAgents + "; give 1 or more");
    }
    if (minWarm < 0 || minWarm > maxAgents) {
      throw new AgentException.InvalidConfig(
          "minWarm", "is " + minWarm + "; give 0 to maxAgents (" + maxAgents + ")");
    }
    if (healthCheckInterval.isZero() || healthCheckInterval.isNegative()) {
      throw new AgentException.InvalidConfig(
          "healthCheckInterval",
          "is " + healthCheckInterval + "; give a positive duration such as 5s");
    }
  }

  /**
   * Starts a pool definition with the defaults: 1 warm, at most 4, 5 minutes idle, leases wait 30
   * s, 2 minutes to become ready, checks every 5 s, no reuse, 5 s to stop.
   *
   * @param agent what each pooled agent runs
   * @return the builder
   */
  public static Builder builder(AgentConfig agent) {
    return new Builder(agent);
  }

  /** Builds a {@link PoolConfig}. Not thread-safe. */
  public static final class Builder {
    private final AgentConfig agent;
    private int minWarm = 1;
    private int maxAgents = 4;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private Duration leaseTimeout = Duration.ofSeconds(30);
    private Duration readyTimeout = Duration.ofMinutes(2);
    private Duration healthCheckInterval = Duration.ofSeconds(5);
    private Predicate<AgentHandle> healthCheck;
    private boolean reuse;
    private Duration stopTimeout = Duration.ofSeconds(5);

    private Builder(AgentConfig agent) {
      this.agent = agent;
    }

    /**
     * Sets how many ready agents the pool keeps waiting for leases.
     *
     * @param minWarm 0 to {@code maxAgents}
     * @return this builder
     */
    public Builder minWarm(int minWarm) {
      this.minWarm = minWarm;
      return this;
    }

    /**
     * Sets the most agents the pool has at once: leased, ready and starting.
     *
     * @param maxAgents 1 or more
     * @return this builder
     */
    public Builder maxAgents(int maxAgents) {
      this.maxAgents = maxAgents;
      return this;
    }

    /**
     * Sets how long a ready agent above {@code minWarm} may wait before it is stopped.
     *
     * @param idleTimeout the idle time
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * Sets how long {@link AgentPool#lease()} waits for a ready agent.
     *
     * @param leaseTimeout the wait
     * @return this builder
     */
    public Builder leaseTimeout(Duration leaseTimeout) {
      this.leaseTimeout = leaseTimeout;
      return this;
    }

    /**
     * Sets how long a new agent may take to become ready before it is given up.
     *
     * @param readyTimeout the wait
     * @return this builder
     */
    public Builder readyTimeout(Duration readyTimeout) {
      this.readyTimeout = readyTimeout;
      return this;
    }

    /**
     * Sets how often idle agents are checked.
     *
     * @param healthCheckInterval above zero
     * @return this builder
     */
    public Builder healthCheckInterval(Duration healthCheckInterval) {
      this.healthCheckInterval = healthCheckInterval;
      return this;
    }

    /**
     * Adds a check an idle agent must pass to be handed out; one that fails is replaced.
     *
     * @param healthCheck the check, called on the pool's thread; null for none
     * @return this builder
     */
    public Builder healthCheck(Predicate<AgentHandle> healthCheck) {
      this.healthCheck = healthCheck;
      return this;
    }

    /**
     * Lets a released agent serve another lease (see {@link PoolConfig#reuse()}).
     *
     * @param reuse whether an alive agent between turns goes back to the pool
     * @return this builder
     */
    public Builder reuse(boolean reuse) {
      this.reuse = reuse;
      return this;
    }

    /**
     * Sets how long a released agent gets to end before SIGKILL.
     *
     * @param stopTimeout the wait
     * @return this builder
     */
    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = stopTimeout;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws AgentException.InvalidConfig naming the field that is wrong
     */
    public PoolConfig build() {
      return new PoolConfig(
          agent,
          minWarm,
          maxAgents,
          idleTimeout,
          leaseTimeout,
          readyTimeout,
          healthCheckInterval,
          Optional.ofNullable(healthCheck),
          reuse,
          stopTimeout);
    }
  }
}
