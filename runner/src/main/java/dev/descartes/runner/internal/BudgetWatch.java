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
 * nothing. An explicit command's JSON lines are read in the first built-in format that recognizes
 * them. Thread-safe.
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
      agent.limitReached(
          ErrorKind.BUDGET, "the fleet's budget was spent before this agent started");
      return;
    }
    UsageOfCommands commands = agent.config().hasCommand() ? new UsageOfCommands() : null;
    agent.onEvent(
        e -> {
          AgentEvent.Usage usage =
              e instanceof AgentEvent.Usage u
                  ? u
                  : commands != null && e instanceof AgentEvent.Json j ? commands.usage(j) : null;
          if (usage != null && usage.costUsd().isPresent()) {
            ledger
                .charge(agent.id(), own, usage.costUsd().getAsDouble())
                .ifPresent(
                    o -> {
                      if (o.fleet()) {
                        registry.all().stream()
                            .filter(a -> a.status().isLive())
                            .forEach(a -> a.limitReached(ErrorKind.BUDGET, o.message()));
                      } else {
                        agent.limitReached(ErrorKind.BUDGET, o.message());
                      }
                    });
          }
        });
  }

  /**
   * The usage events of an explicit command whose lines the runner does not parse: the first
   * built-in event format that recognizes one of its JSON lines is kept for the agent, so a script
   * that writes Claude-style {@code stream-json} is charged like claude. Not thread-safe (one
   * agent's events arrive on one thread).
   */
  private static final class UsageOfCommands {
    private static final java.util.List<String> FORMATS =
        java.util.List.of("claude", "opencode", "codex", "gemini");
    private dev.descartes.runner.AgentEventParser detected;
    private java.util.List<dev.descartes.runner.AgentEventParser> candidates;

    AgentEvent.Usage usage(AgentEvent.Json j) {
      if (detected == null) {
        if (candidates == null) {
          candidates =
              FORMATS.stream()
                  .map(f -> dev.descartes.runner.AgentEventParser.forFormat(f).orElseThrow())
                  .toList();
        }
        for (dev.descartes.runner.AgentEventParser p : candidates) {
          java.util.List<AgentEvent> events = p.parse(j.agentId(), j.at(), j.json());
          if (events.stream().anyMatch(e -> e instanceof AgentEvent.Normalized)) {
            detected = p;
            return first(events);
          }
        }
        return null;
      }
      return first(detected.parse(j.agentId(), j.at(), j.json()));
    }

    private static AgentEvent.Usage first(java.util.List<AgentEvent> events) {
      for (AgentEvent e : events) {
        if (e instanceof AgentEvent.Usage u) {
          return u;
        }
      }
      return null;
    }
  }

  /** What the watched agents spent together. */
  public double total() {
    return ledger.total();
  }
}
