package dev.descartes.runner;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one agent did in its git worktree, and what became of the worktree. Immutable and
 * thread-safe.
 *
 * @param agent the agent's name
 * @param branch the agent's branch
 * @param path the worktree's folder
 * @param baseCommit the commit the branch started from
 * @param commits the commits the agent made, newest first, each as {@code <short hash> <subject>}
 * @param diffStat {@code git diff --stat} from the base commit to the worktree's files (committed
 *     and uncommitted changes of tracked files); empty when nothing changed
 * @param uncommitted whether the worktree held uncommitted changes or new files
 * @param removed whether the worktree was removed
 * @param branchDeleted whether the branch was deleted (only when it held no commit of the agent)
 */
public record WorktreeReport(
    String agent,
    String branch,
    Path path,
    String baseCommit,
    List<String> commits,
    String diffStat,
    boolean uncommitted,
    boolean removed,
    boolean branchDeleted) {

  /**
   * Copies the commits.
   *
   * @throws NullPointerException if {@code agent} or {@code commits} is null
   */
  public WorktreeReport {
    Objects.requireNonNull(agent, "agent");
    commits = List.copyOf(commits);
  }

  /** {@return whether the agent left nothing: no commit and no change} */
  public boolean clean() {
    return commits.isEmpty() && !uncommitted;
  }
}
