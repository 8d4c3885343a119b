package dev.descartes.runner.internal.budget;

import dev.descartes.runner.AgentId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The runner's own cost accounting: what each agent has spent, from the costs of its usage events,
 * against its budget, and what all agents of the runner have spent against the runner's budget (a
 * fleet's). Thread-safe.
 */
public final class CostLedger {

  /**
   * A budget that a charge went past.
   *
   * @param fleet true for the runner's budget (every agent stops), false for the agent's own
   * @param message what was spent against what
   */
  public record Overrun(boolean fleet, String message) {}

  private final OptionalDouble fleetBudget;
  private final Map<AgentId, Double> spent = new HashMap<>();
  private double total;
  private boolean fleetOver;

  public CostLedger(OptionalDouble fleetBudget) {
    this.fleetBudget = fleetBudget;
  }

  /** Adds {@code cost} to the agent's and the fleet's spending; the budget it goes past, if any. */
  public synchronized Optional<Overrun> charge(
      AgentId id, OptionalDouble agentBudget, double cost) {
    if (!(cost > 0)) {
      return Optional.empty();
    }
    double mine = spent.merge(id, cost, Double::sum);
    total += cost;
    if (agentBudget.isPresent() && mine > agentBudget.getAsDouble()) {
      return Optional.of(
          new Overrun(
              false,
              "budget of " + usd(agentBudget.getAsDouble()) + " reached: spent " + usd(mine)));
    }
    if (fleetBudget.isPresent() && total > fleetBudget.getAsDouble() && !fleetOver) {
      fleetOver = true;
      return Optional.of(
          new Overrun(
              true,
              "fleet budget of "
                  + usd(fleetBudget.getAsDouble())
                  + " reached: the fleet spent "
                  + usd(total)));
    }
    return Optional.empty();
  }

  /** Whether the fleet's budget is spent (agents started after that are stopped at once). */
  public synchronized boolean fleetOver() {
    return fleetOver;
  }

  public synchronized double spent(AgentId id) {
    return spent.getOrDefault(id, 0.0);
  }

  public synchronized double total() {
    return total;
  }

  static String usd(double v) {
    return String.format(Locale.ROOT, "$%.4f", v);
  }
}
