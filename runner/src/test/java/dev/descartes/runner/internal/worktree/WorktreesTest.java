package dev.descartes.runner.internal.worktree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.Workspace;
import dev.descartes.runner.WorktreeReport;
import dev.descartes.runner.Worktrees;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A git worktree per agent with the real git command, on repositories made in a temporary folder:
 * each agent on its own branch, the report of commits and diff stat, cleanup by policy, and the
 * typed errors before any agent starts. Every test ends with no worktree and no agent branch left.
 */
@ExtendWith(LeakCheck.class)
class WorktreesTest {

  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void makeRepository() throws Exception {
    repo = Files.createDirectories(tmp.resolve("repo"));
    git(repo, "init", "-q", "-b", "main");
    Files.writeString(repo.resolve("README.md"), "hello\n");
    Files.createDirectories(repo.resolve("src"));
    Files.writeString(repo.resolve("src/a.txt"), "a\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
  }

  @AfterEach
  void nothingLeftBehind() throws Exception {
    assertThat(
            git(repo, "worktree", "list", "--porcelain")
                .lines()
                .filter(l -> l.startsWith("worktree ")))
        .as("worktrees left")
        .hasSize(1);
    assertThat(git(repo, "branch", "--list", "descartes/*")).as("agent branches left").isEmpty();
    assertThat(tmp.resolve("repo.worktrees")).doesNotExist();
  }

  private AgentConfig agent(String name, String script) {
    return AgentConfig.builder()
        .name(name)
        .command(Scripts.shell(script))
        .workingDir(repo.resolve("src"))
        .env("GIT_AUTHOR_NAME", "agent")
        .env("GIT_AUTHOR_EMAIL", "agent@example.com")
        .env("GIT_COMMITTER_NAME", "agent")
        .env("GIT_COMMITTER_EMAIL", "agent@example.com")
        .workspace(Workspace.worktree(repo))
        .build();
  }

  @Test
  void eachAgentWorksOnItsOwnBranchAndTheReportShowsItsCommitsAndDiffStat() throws Exception {
    List<AgentConfig> fleet =
        List.of(
            agent(
                "writer",
                "pwd > ../where.txt; echo b > b.txt && git add b.txt && git commit -q -m 'add b' && echo x >> a.txt"),
            agent("reader", "cat a.txt > /dev/null"));
    List<WorktreeReport> reports;
    try (LocalProcessRunner runner = TestRunners.runner();
        Worktrees wt = Worktrees.prepare("night shift", fleet)) {
      List<AgentHandle> handles = new ArrayList<>();
      for (AgentConfig c : wt.agents()) {
        assertThat(c.workingDir()).contains(wt.worktree(c.name()).orElseThrow().resolve("src"));
        handles.add(runner.spawn(c));
      }
      for (AgentHandle h : handles) {
        assertThat(h.waitFor(Duration.ofMinutes(1)))
            .hasValueSatisfying(x -> assertThat(x.success()).isTrue());
      }
      assertThat(wt.worktree("writer")).isNotEqualTo(wt.worktree("reader"));
      reports = wt.finish();
    }

    WorktreeReport writer = reports.get(0);
    assertThat(writer.branch()).isEqualTo("descartes/night-shift/writer");
    assertThat(writer.commits()).singleElement().satisfies(c -> assertThat(c).endsWith(" add b"));
    assertThat(writer.diffStat())
        .contains("src/a.txt")
        .contains("src/b.txt")
        .contains("2 files changed");
    assertThat(writer.uncommitted()).isTrue();
    assertThat(writer.removed()).as("kept: it holds work").isFalse();
    assertThat(Files.readString(writer.path().resolve("where.txt")).strip())
        .isEqualTo(writer.path().resolve("src").toRealPath().toString());
    WorktreeReport reader = reports.get(1);
    assertThat(reader.clean()).isTrue();
    assertThat(reader.removed()).isTrue();
    assertThat(reader.branchDeleted()).isTrue();
    assertThat(reader.path()).doesNotExist();
    assertThat(git(repo, "log", "--format=%s", "main")).isEqualTo("first");

    git(repo, "worktree", "remove", "--force", writer.path().toString());
    git(repo, "branch", "-D", writer.branch());
    Files.deleteIfExists(writer.path().getParent());
  }

  @Test
  void removeDeletesTheWorktreeButKeepsABranchWithCommits() throws Exception {
    AgentConfig c =
        agent("committer", "echo c > c.txt && git add c.txt && git commit -q -m 'add c'");
    c =
        c.toBuilder()
            .workspace(
                c.workspace()
                    .get()
                    .withCleanup(Workspace.Cleanup.REMOVE)
                    .withBranch("descartes/mine"))
            .build();
    WorktreeReport r;
    try (LocalProcessRunner runner = TestRunners.runner();
        Worktrees wt = Worktrees.prepare("f", List.of(c))) {
      runner.spawn(wt.agents().getFirst()).waitFor();
      r = wt.finish().getFirst();
    }
    assertThat(r.removed()).isTrue();
    assertThat(r.branchDeleted()).isFalse();
    assertThat(git(repo, "log", "--format=%s", "descartes/mine")).startsWith("add c");
    git(repo, "branch", "-D", "descartes/mine");
  }

  @Test
  void aFolderOutsideAnyRepositoryIsATypedErrorBeforeAnythingIsMade() throws Exception {
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    AgentConfig c =
        AgentConfig.builder()
            .name("a")
            .command("true")
            .workspace(Workspace.worktree(plain))
            .build();

    assertThatThrownBy(() -> Worktrees.prepare("f", List.of(c)))
        .isInstanceOfSatisfying(
            AgentException.WorkspaceFailed.class,
            e -> {
              assertThat(e.reason())
                  .isEqualTo(AgentException.WorkspaceFailed.Reason.NOT_A_REPOSITORY);
              assertThat(e.agent()).isEqualTo("a");
            })
        .hasMessageContaining("not inside a git repository");
  }

  @Test
  void anExistingBranchFailsThePreparationAndUndoesTheWorktreesAlreadyMade() throws Exception {
    git(repo, "branch", "descartes/f/second");
    List<AgentConfig> fleet = List.of(agent("first", "true"), agent("second", "true"));

    assertThatThrownBy(() -> Worktrees.prepare("f", fleet))
        .isInstanceOfSatisfying(
            AgentException.WorkspaceFailed.class,
            e ->
                assertThat(e.reason())
                    .isEqualTo(AgentException.WorkspaceFailed.Reason.BRANCH_EXISTS))
        .hasMessageContaining("agent 'second'")
        .hasMessageContaining("git branch -D descartes/f/second");
    assertThat(git(repo, "branch", "--list", "descartes/f/first")).isEmpty();
    git(repo, "branch", "-D", "descartes/f/second");
  }

  @Test
  void uncommittedChangesInTheRepositoryAreATypedError() throws Exception {
    Files.writeString(repo.resolve("README.md"), "changed\n");

    assertThatThrownBy(() -> Worktrees.prepare("f", List.of(agent("a", "true"))))
        .isInstanceOfSatisfying(
            AgentException.WorkspaceFailed.class,
            e -> assertThat(e.reason()).isEqualTo(AgentException.WorkspaceFailed.Reason.DIRTY))
        .hasMessageContaining("commit or stash");
    git(repo, "checkout", "-q", "README.md");
  }

  @Test
  void twoAgentsAskingForTheSameBranchNeverShareAWorktree() {
    AgentConfig a = agent("a", "true");
    AgentConfig b = agent("b", "true");
    List<AgentConfig> fleet =
        List.of(
            a.toBuilder().workspace(a.workspace().get().withBranch("descartes/same")).build(),
            b.toBuilder().workspace(b.workspace().get().withBranch("descartes/same")).build());

    assertThatThrownBy(() -> Worktrees.prepare("f", fleet))
        .isInstanceOf(AgentException.WorkspaceFailed.class)
        .hasMessageContaining("two agents never share");
  }

  @Test
  void aWorkspaceThatWasNotPreparedCannotBeSpawned() {
    try (LocalProcessRunner runner = TestRunners.runner()) {
      assertThatThrownBy(() -> runner.spawn(agent("a", "true")))
          .isInstanceOf(AgentException.InvalidConfig.class)
          .hasMessageContaining("Worktrees.prepare");
    }
  }

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "git",
                "-C",
                dir.toString(),
                "-c",
                "user.name=test",
                "-c",
                "user.email=test@example.com"));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().putAll(Map.of("GIT_CONFIG_NOSYSTEM", "1"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
    return out;
  }
}
