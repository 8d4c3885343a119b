package dev.descartes.cli;

import dev.descartes.runner.RestartPolicy;
import dev.descartes.runner.Workspace;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The fleet-file fields for restarts, budgets and worktrees, read with {@link Fields}:
 *
 * <pre>{@code
 * budget: 5.00                 # the fleet's: every agent stops once they spent it together
 * agents:
 *   fixer:
 *     budget: 0.50             # this agent's, in US dollars
 *     restart: on-failure      # never | on-failure | always, or a mapping:
 *     #  restart: {policy: on-failure, maxRestarts: 5, backoff: {initial: 1s, max: 1m}, resetAfter: 5m, resume: true}
 *     workspace: worktree      # a git worktree of the agent's cwd, or a mapping:
 *     #  workspace: {repository: ../repo, branch: fix/flaky, cleanup: keep | remove-if-clean | remove}
 * }</pre>
 *
 * Every wrong value is a problem at its place, as for every other field.
 */
final class FleetExtras {

  static final double MAX_BUDGET = 1_000_000;

  private FleetExtras() {}

  /** {@code budget:}, a positive amount of US dollars. */
  static Optional<Double> budget(Fields f) {
    return f.get("budget", n -> budget(Fields.text(n, "give US dollars, such as budget: 0.50")));
  }

  /** A budget as written on the command line or in a file: {@code 0.50}, {@code $2}. */
  static double budget(String text) {
    String fix = "give US dollars, such as 0.50 (or $0.50)";
    String t = text.strip().replaceFirst("^\\$", "");
    BigDecimal d;
    try {
      d = new BigDecimal(t);
    } catch (NumberFormatException e) {
      throw new Fields.Bad("'" + text + "' is not an amount of US dollars", fix);
    }
    if (d.signum() <= 0 || d.doubleValue() > MAX_BUDGET) {
      throw new Fields.Bad(
          text + " is out of range: give more than 0 and at most " + (long) MAX_BUDGET, fix);
    }
    return d.doubleValue();
  }

  /** {@code restart:}, a policy name or a mapping. */
  static Optional<RestartPolicy> restart(Fields a) {
    Optional<Node> node = a.node("restart");
    if (node.isEmpty()) {
      return Optional.empty();
    }
    if (node.get() instanceof Node.Scalar) {
      return a.get(
          "restart", n -> RestartPolicy.builder().mode(mode(Fields.text(n, MODES))).build());
    }
    Optional<Fields> m =
        a.map(
            "restart",
            "restart",
            "write restart: never, on-failure or always, or a mapping"
                + " with policy:, maxRestarts:, backoff:, resetAfter: and resume:");
    if (m.isEmpty()) {
      return Optional.empty();
    }
    Fields r = m.get();
    RestartPolicy.Builder b = RestartPolicy.builder();
    r.get("policy", n -> mode(Fields.text(n, MODES))).ifPresent(b::mode);
    r.integer("maxRestarts", 0, 1000, "give how many restarts in a row, such as maxRestarts: 5")
        .ifPresent(b::maxRestarts);
    Optional<Fields> backoff =
        r.map("backoff", "backoff", "write backoff: with initial: and max: below it");
    backoff.ifPresent(
        bo -> {
          Duration initial =
              bo.duration("initial", Duration.ofMillis(1), Duration.ofHours(1))
                  .orElse(Duration.ofSeconds(1));
          Duration max =
              bo.duration("max", Duration.ofMillis(1), Duration.ofDays(1))
                  .orElse(Duration.ofSeconds(60));
          if (max.compareTo(initial) < 0) {
            bo.problem(
                "max",
                Problem.Kind.DATA,
                "is shorter than initial",
                "make max at least as long as initial");
          } else {
            b.backoff(initial, max);
          }
          bo.done();
        });
    r.duration("resetAfter", Duration.ZERO, Duration.ofDays(1)).ifPresent(b::resetAfter);
    r.bool("resume").ifPresent(b::resume);
    r.done();
    return Optional.of(b.build());
  }

  private static final String MODES = "write never, on-failure or always";

  static RestartPolicy.Mode mode(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "never", "no" -> RestartPolicy.Mode.NEVER;
      case "on-failure" -> RestartPolicy.Mode.ON_FAILURE;
      case "always" -> RestartPolicy.Mode.ALWAYS;
      default -> throw new Fields.Bad("'" + text + "' is not a restart policy", MODES);
    };
  }

  /** {@code workspace:}, {@code worktree} (of {@code cwd}) or a mapping. */
  static Optional<Workspace> workspace(Fields a, Path dir, Path cwd) {
    Optional<Node> node = a.node("workspace");
    if (node.isEmpty()) {
      return Optional.empty();
    }
    String expected =
        "write workspace: worktree, or a mapping with repository:, branch: and cleanup:";
    if (node.get() instanceof Node.Scalar) {
      return a.get(
          "workspace",
          n -> {
            String t = Fields.text(n, expected);
            if (!t.equals("worktree")) {
              throw new Fields.Bad("'" + t + "' is not a workspace", expected);
            }
            return Workspace.worktree(cwd);
          });
    }
    Optional<Fields> m = a.map("workspace", "workspace", expected);
    if (m.isEmpty()) {
      return Optional.empty();
    }
    Fields w = m.get();
    Path repo =
        w.text("repository", "name the repository's folder, relative to the fleet file's folder")
            .map(r -> dir.resolve(r).normalize())
            .orElse(cwd);
    Optional<String> branch = w.text("branch", "name a new branch, such as branch: agent/fixer");
    Workspace.Cleanup cleanup =
        w.get("cleanup", n -> cleanup(Fields.text(n, CLEANUPS)))
            .orElse(Workspace.Cleanup.REMOVE_IF_CLEAN);
    w.done();
    Workspace ws = Workspace.worktree(repo).withCleanup(cleanup);
    return Optional.of(branch.map(ws::withBranch).orElse(ws));
  }

  private static final String CLEANUPS = "write keep, remove-if-clean or remove";

  static Workspace.Cleanup cleanup(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "keep" -> Workspace.Cleanup.KEEP;
      case "remove-if-clean" -> Workspace.Cleanup.REMOVE_IF_CLEAN;
      case "remove" -> Workspace.Cleanup.REMOVE;
      default -> throw new Fields.Bad("'" + text + "' is not a cleanup", CLEANUPS);
    };
  }
}
