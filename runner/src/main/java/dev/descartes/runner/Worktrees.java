package dev.descartes.runner;

import dev.descartes.runner.internal.worktree.WorktreeSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The git worktrees of a fleet's agents: {@link #prepare} makes one per agent whose config has a
 * {@link AgentConfig#workspace()}, before any agent starts, each on a branch of its own ({@code
 * descartes/<fleet>/<agent>} unless named) in {@code <repository>.worktrees/<fleet>-<agent>} next
 * to the repository; {@link #finish()} reports per agent the branch, its commits and diff stat, and
 * keeps or removes each worktree as its {@link Workspace.Cleanup} says.
 *
 * <p>Two agents never share a worktree. Preparing is all or nothing: when one worktree cannot be
 * made (not a repository, the branch or folder exists, uncommitted changes in the repository, git
 * failing), those already made are removed again and {@link AgentException.WorkspaceFailed} says
 * which agent and why. Uses the {@code git} command. Thread-safe.
 *
 * <pre>{@code
 * try (Worktrees wt = Worktrees.prepare("review", configs)) {
 *   for (AgentConfig c : wt.agents()) runner.spawn(c);   // each in its own worktree
 *   ... wait for the agents ...
 *   wt.finish().forEach(r -> System.out.println(r.branch() + ": " + r.commits().size() + " commits"));
 * }
 * }</pre>
 */
public interface Worktrees extends AutoCloseable {

  /**
   * Makes a worktree for every agent of {@code agents} that has a workspace.
   *
   * @param fleet the fleet's name, part of each branch's and folder's name
   * @param agents the agents, with or without a workspace
   * @return the worktrees, to finish once the agents have ended
   * @throws AgentException.WorkspaceFailed if one cannot be made (none is left behind then)
   */
  static Worktrees prepare(String fleet, List<AgentConfig> agents) {
    return WorktreeSet.prepare(fleet, agents);
  }

  /**
   * {@return the agents' configs, in order: those with a workspace work in their worktree (the same
   * sub-folder of it as their working directory was of the repository) and can be spawned; the
   * others are unchanged}
   */
  List<AgentConfig> agents();

  /**
   * The worktree of one agent.
   *
   * @param agent the agent's name
   * @return its worktree; empty if it has none
   */
  Optional<Path> worktree(String agent);

  /**
   * Reports what each agent did in its worktree and applies each cleanup. Call it once the agents
   * have ended. The second call returns the same reports.
   *
   * @return one report per agent with a worktree, in order
   */
  List<WorktreeReport> finish();

  /** {@link #finish()}, if not done yet. */
  @Override
  void close();
}
