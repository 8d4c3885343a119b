package dev.descartes.runner.internal.worktree;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException.WorkspaceFailed;
import dev.descartes.runner.AgentException.WorkspaceFailed.Reason;
import dev.descartes.runner.Workspace;
import dev.descartes.runner.WorktreeReport;
import dev.descartes.runner.Worktrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Worktrees} with the {@code git} command. Thread-safe (finish is synchronized). */
public final class WorktreeSet implements Worktrees {

  private static final Logger LOG = LoggerFactory.getLogger(WorktreeSet.class);

  /** One agent's worktree once made. */
  private record Made(
      String agent, Path repo, String branch, Path path, String base, Workspace.Cleanup cleanup) {}

  private final List<AgentConfig> agents;
  private final Map<String, Made> made;
  private List<WorktreeReport> reports;

  private WorktreeSet(List<AgentConfig> agents, Map<String, Made> made) {
    this.agents = List.copyOf(agents);
    this.made = made;
  }

  public static WorktreeSet prepare(String fleet, List<AgentConfig> configs) {
    Map<String, Made> made = new LinkedHashMap<>();
    List<AgentConfig> out = new ArrayList<>();
    Set<String> branches = new HashSet<>();
    Set<Path> paths = new HashSet<>();
    try {
      for (AgentConfig c : configs) {
        if (c.workspace().isEmpty()) {
          out.add(c);
          continue;
        }
        Made m = make(fleet, c, branches, paths);
        made.put(c.name(), m);
        Path sub = c.workingDir().map(d -> relativeInside(m.repo(), d)).orElse(Path.of(""));
        out.add(
            c.toBuilder()
                .workingDir(m.path().resolve(sub).normalize())
                .workspace(c.workspace().get().preparedIn(m.path()))
                .build());
      }
    } catch (RuntimeException e) {
      made.values().forEach(m -> remove(m, true));
      throw e;
    }
    return new WorktreeSet(out, made);
  }

  private static Made make(String fleet, AgentConfig c, Set<String> branches, Set<Path> paths) {
    Workspace w = c.workspace().get();
    String agent = c.name();
    if (!Files.isDirectory(w.repository())) {
      throw new WorkspaceFailed(
          agent,
          Reason.NOT_A_REPOSITORY,
          w.repository() + " is not a folder; give the " + "path of a git repository");
    }
    Git.Result top = new Git(w.repository()).run("rev-parse", "--show-toplevel");
    if (!top.ok()) {
      throw new WorkspaceFailed(
          agent,
          top.exit() == 127 ? Reason.GIT_FAILED : Reason.NOT_A_REPOSITORY,
          top.exit() == 127
              ? top.err()
              : w.repository()
                  + " is not inside a git repository; run git init there "
                  + "and commit, or point the workspace at a repository");
    }
    Path repo = Path.of(top.out());
    Git git = new Git(repo);
    Git.Result head = git.run("rev-parse", "--verify", "--quiet", "HEAD");
    if (!head.ok()) {
      throw new WorkspaceFailed(
          agent,
          Reason.NOT_A_REPOSITORY,
          repo
              + " has no commit yet; commit once so the "
              + "worktree has something to start from");
    }
    String dirty = git.run("status", "--porcelain", "--untracked-files=no").out();
    if (!dirty.isEmpty()) {
      throw new WorkspaceFailed(
          agent,
          Reason.DIRTY,
          repo
              + " has uncommitted changes ("
              + dirty.lines().count()
              + " files), which the agent's worktree would not hold; commit or stash them first");
    }
    String branch = w.branch().orElse("descartes/" + refPart(fleet) + "/" + refPart(agent));
    if (!git.run("check-ref-format", "--branch", branch).ok()) {
      throw new WorkspaceFailed(
          agent,
          Reason.GIT_FAILED,
          "'" + branch + "' is not a valid branch name; name " + "another branch");
    }
    if (!branches.add(branch)) {
      throw new WorkspaceFailed(
          agent,
          Reason.BRANCH_EXISTS,
          "another agent of the fleet has branch "
              + branch
              + " already; two agents never share one: give each its own branch");
    }
    if (git.run("rev-parse", "--verify", "--quiet", "refs/heads/" + branch).ok()) {
      throw new WorkspaceFailed(
          agent,
          Reason.BRANCH_EXISTS,
          "branch "
              + branch
              + " exists already in "
              + repo
              + "; delete it (git branch -D "
              + branch
              + ") or name another branch");
    }
    Path path =
        repo.resolveSibling(repo.getFileName() + ".worktrees")
            .resolve(refPart(fleet) + "-" + refPart(agent));
    if (!paths.add(path) || Files.exists(path)) {
      throw new WorkspaceFailed(
          agent,
          Reason.PATH_TAKEN,
          path
              + " exists already; remove it (git worktree "
              + "remove "
              + path
              + ") or rename the agent");
    }
    Git.Result add = git.run("worktree", "add", "-b", branch, path.toString(), "HEAD");
    if (!add.ok()) {
      throw new WorkspaceFailed(agent, Reason.GIT_FAILED, "git worktree add failed: " + add.err());
    }
    return new Made(agent, repo, branch, path, head.out(), w.cleanup());
  }

  /** {@code dir} relative to {@code repo} when inside it, else empty. */
  private static Path relativeInside(Path repo, Path dir) {
    try {
      Path real = dir.toRealPath();
      Path root = repo.toRealPath();
      return real.startsWith(root) ? root.relativize(real) : Path.of("");
    } catch (IOException e) {
      return Path.of("");
    }
  }

  /** A fleet or agent name as one safe component of a branch or folder name. */
  static String refPart(String name) {
    String s =
        name.replaceAll("[^A-Za-z0-9._-]+", "-")
            .replaceAll("\\.{2,}", ".")
            .replaceAll("^[.-]+|[.-]+$", "");
    if (s.endsWith(".lock")) {
      s = s.substring(0, s.length() - 5);
    }
    return s.isEmpty() ? "agent" : s;
  }

  @Override
  public List<AgentConfig> agents() {
    return agents;
  }

  @Override
  public Optional<Path> worktree(String agent) {
    return Optional.ofNullable(made.get(agent)).map(Made::path);
  }

  @Override
  public synchronized List<WorktreeReport> finish() {
    if (reports != null) {
      return reports;
    }
    List<WorktreeReport> out = new ArrayList<>();
    for (Made m : made.values()) {
      out.add(report(m));
    }
    reports = List.copyOf(out);
    return reports;
  }

  @Override
  public void close() {
    finish();
  }

  private static WorktreeReport report(Made m) {
    Git wt = new Git(m.path());
    List<String> commits =
        Files.isDirectory(m.path())
            ? wt.run("log", "--format=%h %s", m.base() + "..HEAD")
                .out()
                .lines()
                .filter(l -> !l.isBlank())
                .toList()
            : List.of();
    String stat = Files.isDirectory(m.path()) ? wt.run("diff", "--stat", m.base()).out() : "";
    boolean uncommitted =
        Files.isDirectory(m.path()) && !wt.run("status", "--porcelain").out().isEmpty();
    boolean clean = commits.isEmpty() && !uncommitted;
    boolean remove =
        switch (m.cleanup()) {
          case KEEP -> false;
          case REMOVE_IF_CLEAN -> clean;
          case REMOVE -> true;
        };
    boolean branchDeleted = false;
    if (remove) {
      branchDeleted = remove(m, commits.isEmpty());
    }
    return new WorktreeReport(
        m.agent(),
        m.branch(),
        m.path(),
        m.base(),
        commits,
        stat,
        uncommitted,
        remove,
        branchDeleted);
  }

  /** Removes the worktree (and its folder), and its branch when asked; true if the branch went. */
  private static boolean remove(Made m, boolean deleteBranch) {
    Git git = new Git(m.repo());
    Git.Result r = git.run("worktree", "remove", "--force", "--force", m.path().toString());
    if (!r.ok()) {
      LOG.warn("could not remove worktree {}: {}", m.path(), r.err());
      git.run("worktree", "prune");
    }
    try {
      Path parent = m.path().getParent();
      try (var s = Files.list(parent)) {
        if (s.findAny().isEmpty()) {
          Files.delete(parent);
        }
      }
    } catch (IOException e) {
      // someone else's worktree lives there too
    }
    return deleteBranch && git.run("branch", "-D", m.branch()).ok();
  }
}
