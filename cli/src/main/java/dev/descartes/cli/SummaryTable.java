package dev.descartes.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The table printed when a fleet run ends: one row per agent with its state, exit, duration, cost,
 * and the first line of its result or error.
 */
final class SummaryTable {

  private static final String[] HEADER = {"AGENT", "STATE", "EXIT", "TIME", "COST", "RESULT"};

  private SummaryTable() {}

  /** The table's lines; colour (when on) only on the state column. */
  static List<String> render(List<AgentTally> agents, Theme theme, int width) {
    List<String[]> rows = new ArrayList<>();
    Instant now = Instant.now();
    for (AgentTally a : agents) {
      rows.add(
          new String[] {
            a.name(),
            a.state().label(),
            a.exit()
                .map(
                    x ->
                        x.code().isPresent()
                            ? String.valueOf(x.code().getAsInt())
                            : "sig " + x.signal().getAsInt())
                .orElse("-"),
            a.exit().isPresent() ? Durations.format(a.elapsed(now)) : "-",
            a.cost().map(Durations::cost).orElse(a.budget().isPresent() ? "$0" : "-")
                + (a.budget().isPresent() ? "/" + Durations.cost(a.budget().getAsDouble()) : ""),
            (a.headline().orElse("")
                    + (a.restarts() > 0
                        ? " (" + a.restarts() + (a.restarts() == 1 ? " restart)" : " restarts)")
                        : ""))
                .strip()
          });
    }
    return Table.render(
        HEADER,
        rows,
        theme,
        width,
        (row, col, cell) ->
            col == 1 ? theme.paint(HumanRenderer.style(agents.get(row).state()), cell) : cell);
  }
}
