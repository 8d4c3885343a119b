package dev.descartes.runner.internal;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentOutcome.ErrorKind;
import dev.descartes.runner.internal.budget.CostLedger;
import java.util.OptionalDouble;

/**
 * Enforces cost budgets with the runner's own accounting: every usage event with a cost of a
 * watched agent is charged to a {@link CostLedger}; past the agent's budget that agent is stopped,
 * past the runner's (the fleet's) every live agent of the registry is, each with {@link
 * ErrorKind#BUDGET}. Only agents with a budget, or runners with one, are watched, so others pay
 * nothing. Thread-safe.
 */
public final class BudgetWatch {

  private final CostLedger ledger;
  private final AgentRegistry registry;
  private final boolean fleetBudget;

  public BudgetWatch(OptionalDouble fleetBudget, AgentRegistry registry) {
    this.ledger = new CostLedger(fleetBudget);
    this.registry = registry;
    this.fleetBudget = fleetBudget.isPresent();
  }

  /** Starts charging {@code agent}'s costs, if it or the runner has a budget. */
  public void watch(LocalAgent agent) {
    OptionalDouble own = agent.config().budgetUsd();
    if (own.isEmpty() && !fleetBudget) {
      return;
    }
    if (ledger.fleetOver()) {
      agent.limitReached(ErrorKind.BUDGET, "the fleet's budget was spent before this agent started");
      return;
    }
    agent.onEvent(e -> {
      if (e instanceof AgentEvent.Usage u && u.costUsd().isPresent()) {
        ledger.charge(agent.id(), own, u.costUsd().getAsDouble()).ifPresent(o -> {
          if (o.fleet()) {
            registry.all().stream().filter(a -> a.status().isLive()).forEach(a -> a.limitReached(ErrorKind.BUDGET,
                o.message()));
          } else {
            agent.limitReached(ErrorKind.BUDGET, o.message());
          }
        });
      }
    });
  }

  /** What the watched agents spent together. */
  public double total() {
    return ledger.total();
  }
}
