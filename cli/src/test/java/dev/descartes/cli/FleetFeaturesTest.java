package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts, budgets and worktrees from a fleet file, through the real {@code descartes} process:
 * what the run prints, the summary, the exit code, and the typed errors before anything starts.
 */
@ExtendWith(CliLeakCheck.class)
class FleetFeaturesTest {

  @TempDir Path dir;

  /** Writes Claude-style results whose total cost grows by $0.20 every 100 ms, for a minute. */
  private static final String SPENDER =
      "i=1; while [ $i -le 600 ]; do echo \"{\\\"type\\\":\\\"result\\\","
          + "\\\"subtype\\\":\\\"success\\\",\\\"is_error\\\":false,\\\"result\\\":\\\"turn $i\\\",\\\"num_turns\\\":$i,"
          + "\\\"total_cost_usd\\\":$(($i * 2))e-1}\"; i=$((i+1)); sleep 0.1; done";

  @Test
  void anAgentPastItsBudgetIsStoppedAndTheSummaryShowsCostAgainstBudget() throws Exception {
    Path fleet =
        write(
            "budget.yaml",
            """
        agents:
          spender:
            command: '%s'
            budget: 0.50
        """
                .formatted(SPENDER.replace("'", "''")));

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stdoutLines())
        .as(r.toString())
        .anyMatch(
            l ->
                l.matches(
                    "spender +failed .*\\$[0-9.]+/\\$0\\.50* .*budget of \\$0\\.5000 reached.*"));
  }

  @Test
  void aCrashedAgentIsRestartedAndACrashLoopEndsFailedWithTheReason() throws Exception {
    Path fleet =
        write(
            "restart.yaml",
            """
        agents:
          flaky:
            command: 'n=$(cat runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > runs; [ $n -gt 2 ] || exit 3; echo fine'
            restart: {policy: on-failure, maxRestarts: 3, backoff: {initial: 10ms, max: 50ms}}
          hopeless:
            command: 'echo trying; exit 4'
            restart: {policy: on-failure, maxRestarts: 1, backoff: {initial: 10ms, max: 10ms}}
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stdoutLines())
        .as(r.toString())
        .anyMatch(l -> l.matches("flaky +completed .*\\(2 restarts\\)"))
        .anyMatch(l -> l.matches("hopeless +failed .*crash loop: 1 restart in a row.*"));
    assertThat(r.stderr().lines())
        .anyMatch(l -> l.matches("flaky: restart 1 in \\d+ms; the last run ended: .*exit 3.*"));
  }

  @Test
  void eachAgentGetsAWorktreeAndTheRunReportsBranchesCommitsAndDiffStat() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    git(repo, "init", "-q", "-b", "main");
    Files.writeString(repo.resolve("a.txt"), "a\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
    Path fleet =
        write(
            "night.yaml",
            """
        agents:
          writer:
            command: 'echo b > b.txt && git add b.txt && git -c user.name=a -c user.email=a@example.com commit -q -m "add b"'
            cwd: repo
            workspace: worktree
          reader:
            command: 'cat a.txt'
            workspace: {repository: repo, cleanup: remove-if-clean}
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdoutLines())
        .as(r.toString())
        .anyMatch(
            l ->
                l.startsWith(
                    "writer: branch descartes/night/writer, 1 commit, 1 file changed, 1 insertion(+);"
                        + " worktree kept at "))
        .anyMatch(l -> l.matches(" +[0-9a-f]+ add b"))
        .anyMatch(
            l ->
                l.equals(
                    "reader: branch descartes/night/reader, 0 commits, no changes; worktree removed with"
                        + " its branch"));
    git(
        repo,
        "worktree",
        "remove",
        "--force",
        dir.resolve("repo.worktrees/night-writer").toString());
    git(repo, "branch", "-D", "descartes/night/writer");
    Files.delete(dir.resolve("repo.worktrees"));
    assertThat(git(repo, "branch", "--list", "descartes/*")).isEmpty();
  }

  @Test
  void wrongRestartBudgetAndWorkspaceValuesAreReportedWhereTheyStandBeforeAnythingStarts()
      throws Exception {
    Path fleet =
        write(
            "bad.yaml",
            """
        agents:
          a:
            command: 'touch started'
            restart: sometimes
            budget: -1
          b:
            command: 'touch started'
            workspace: somewhere
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(65);
    assertThat(r.stderr())
        .contains(
            "bad.yaml:4:14: agents.a.restart: 'sometimes' is not a restart policy; write"
                + " never, on-failure or always")
        .contains("bad.yaml:5:13: agents.a.budget: -1 is out of range")
        .contains("bad.yaml:8:16: agents.b.workspace: 'somewhere' is not a workspace");
    assertThat(dir.resolve("started")).doesNotExist();
  }

  @Test
  void aWorktreeOfAFolderOutsideAnyRepositoryIsATypedErrorBeforeAnyAgentStarts() throws Exception {
    Path fleet =
        write(
            "norepo.yaml",
            """
        agents:
          first:
            command: 'touch started'
          second:
            command: 'true'
            workspace: worktree
        """);

    Cli.Running r = Cli.run(dir, Map.of(), "run", "-f", fleet.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(65);
    assertThat(r.stderr())
        .contains("norepo.yaml:6:16: agent 'second': workspace: ")
        .contains("is not inside a git" + " repository; run git init there");
    assertThat(dir.resolve("started")).doesNotExist();
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  private static String git(Path repo, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "git",
                "-C",
                repo.toString(),
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(out);
    }
    return out;
  }
}
