package dev.descartes.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The live line at the bottom of a fleet run on a terminal: a spinner, how many agents are running
 * (of them how many are busy, idle between turns, or waiting for input), completed and failed (and
 * waiting or stopped, when any are), the time since the start, and the cost reported so far against
 * the fleet's budget. Cut to the terminal's width so it never wraps.
 */
final class StatusLine {

  private StatusLine() {}

  /**
   * @param frame the spinner's frame (any number; it wraps)
   * @param stopping whether a stop is under way
   */
  static String render(
      List<AgentTally> agents, Duration elapsed, int frame, boolean stopping, Terminal terminal) {
    return render(agents, elapsed, frame, stopping, terminal, java.util.OptionalDouble.empty());
  }

  /**
   * @param budget the fleet's budget, shown after the cost
   */
  static String render(
      List<AgentTally> agents,
      Duration elapsed,
      int frame,
      boolean stopping,
      Terminal terminal,
      java.util.OptionalDouble budget) {
    int[] act = new int[dev.descartes.runner.AgentActivity.values().length];
    Theme theme = terminal.theme();
    int[] n = new int[AgentTally.State.values().length];
    double cost = 0;
    boolean costKnown = false;
    for (AgentTally a : agents) {
      n[a.state().ordinal()]++;
      a.activity().ifPresent(x -> act[x.ordinal()]++);
      Optional<Double> c = a.cost();
      if (c.isPresent()) {
        cost += c.get();
        costKnown = true;
      }
    }
    List<String[]> parts = new ArrayList<>(); // {plain, painted}
    String spin = theme.spinner().get(Math.floorMod(frame, theme.spinner().size()));
    if (stopping) {
      parts.add(part(theme, Style.NOTE, "stopping"));
    }
    parts.add(part(theme, Style.TEXT, n[AgentTally.State.RUNNING.ordinal()] + " running"));
    activity(parts, theme, act, dev.descartes.runner.AgentActivity.BUSY, "busy", Style.TEXT);
    activity(parts, theme, act, dev.descartes.runner.AgentActivity.IDLE, "idle", Style.DIM);
    activity(
        parts,
        theme,
        act,
        dev.descartes.runner.AgentActivity.WAITING_FOR_INPUT,
        "waiting for input",
        Style.NOTE);
    optional(parts, theme, n, AgentTally.State.WAITING, Style.DIM);
    parts.add(part(theme, Style.OK, n[AgentTally.State.COMPLETED.ordinal()] + " completed"));
    parts.add(
        part(
            theme,
            n[AgentTally.State.FAILED.ordinal()] > 0 ? Style.ERROR : Style.TEXT,
            n[AgentTally.State.FAILED.ordinal()] + " failed"));
    optional(parts, theme, n, AgentTally.State.STOPPED, Style.NOTE);
    optional(parts, theme, n, AgentTally.State.NOT_STARTED, Style.NOTE);
    parts.add(part(theme, Style.DIM, Durations.clock(elapsed)));
    if (costKnown || budget.isPresent()) {
      parts.add(
          part(
              theme,
              Style.DIM,
              Durations.cost(cost)
                  + (budget.isPresent() ? " of " + Durations.cost(budget.getAsDouble()) : "")));
    }
    StringBuilder line = new StringBuilder(theme.paint(stopping ? Style.NOTE : Style.TEXT, spin));
    int visible = spin.length();
    for (String[] p : parts) {
      String sep = visible == spin.length() ? " " : theme.sep();
      if (visible + sep.length() + p[0].length() > terminal.width() - 1) {
        break;
      }
      line.append(sep).append(p[1]);
      visible += sep.length() + p[0].length();
    }
    return line.toString();
  }

  private static void optional(
      List<String[]> parts, Theme theme, int[] n, AgentTally.State s, Style style) {
    if (n[s.ordinal()] > 0) {
      parts.add(part(theme, style, n[s.ordinal()] + " " + s.label()));
    }
  }

  private static void activity(
      List<String[]> parts,
      Theme theme,
      int[] act,
      dev.descartes.runner.AgentActivity a,
      String label,
      Style style) {
    if (act[a.ordinal()] > 0) {
      parts.add(part(theme, style, act[a.ordinal()] + " " + label));
    }
  }

  private static String[] part(Theme theme, Style style, String plain) {
    return new String[] {plain, theme.paint(style, plain)};
  }
}
