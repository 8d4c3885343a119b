package dev.descartes.runner;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an agent works when it gets a workspace of its own: a new {@code git worktree} of {@link
 * #repository()} on a branch of its own, made by {@link Worktrees#prepare} before the agent starts
 * and cleaned up by {@link Worktrees#finish()} as {@link #cleanup()} says. Immutable and
 * thread-safe.
 *
 * @param repository the git repository (any folder inside its working tree)
 * @param branch the new branch; empty for {@code descartes/<fleet>/<agent>}
 * @param cleanup what happens to the worktree at the end
 * @param worktree the worktree made for the agent, once {@link Worktrees#prepare} made it; a config
 *     whose workspace has none cannot be spawned
 */
public record Workspace(
    Path repository, Optional<String> branch, Cleanup cleanup, Optional<Path> worktree) {

  /** What happens to an agent's worktree when the agent is done. */
  public enum Cleanup {
    /** Keep it, whatever it holds. */
    KEEP,
    /**
     * Remove it (and its branch) when the agent made no commit and left no change; else keep it.
     */
    REMOVE_IF_CLEAN,
    /**
     * Remove it whatever it holds; its branch (and so its commits) stays when the agent committed,
     * uncommitted changes are lost.
     */
    REMOVE
  }

  /**
   * Fills the unset fields with their defaults.
   *
   * @throws NullPointerException if {@code repository} is null
   * @throws AgentException.InvalidConfig if the branch is blank
   */
  public Workspace {
    Objects.requireNonNull(repository, "repository");
    branch = Objects.requireNonNullElse(branch, Optional.empty());
    cleanup = Objects.requireNonNullElse(cleanup, Cleanup.REMOVE_IF_CLEAN);
    worktree = Objects.requireNonNullElse(worktree, Optional.empty());
    if (branch.isPresent() && branch.get().isBlank()) {
      throw new AgentException.InvalidConfig(
          "workspace.branch",
          "is blank; name a branch or leave it unset for " + "descartes/<fleet>/<agent>");
    }
  }

  /**
   * A worktree on the default branch name, removed at the end if clean.
   *
   * @param repository the git repository (any folder inside its working tree)
   * @return the workspace
   */
  public static Workspace worktree(Path repository) {
    return new Workspace(repository, Optional.empty(), Cleanup.REMOVE_IF_CLEAN, Optional.empty());
  }

  /**
   * This workspace on another branch.
   *
   * @param name the new branch's name
   * @return a copy on branch {@code name}
   */
  public Workspace withBranch(String name) {
    return new Workspace(repository, Optional.of(name), cleanup, worktree);
  }

  /**
   * This workspace with another cleanup.
   *
   * @param c what happens to the worktree at the end
   * @return a copy with cleanup {@code c}
   */
  public Workspace withCleanup(Cleanup c) {
    return new Workspace(repository, branch, c, worktree);
  }

  /**
   * This workspace once made.
   *
   * @param dir the worktree made for the agent
   * @return a copy whose worktree is {@code dir}
   */
  public Workspace preparedIn(Path dir) {
    return new Workspace(repository, branch, cleanup, Optional.of(dir));
  }
}
