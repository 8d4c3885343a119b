package dev.descartes.runner.internal.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.RestartPolicy;
import dev.descartes.runner.SupervisedAgent;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Restart policies with scripted crashes of a command agent. */
@ExtendWith(LeakCheck.class)
class SupervisedAgentTest {

  @TempDir Path dir;

  private final LocalProcessRunner runner = TestRunners.runner();

  @AfterEach
  void close() {
    runner.close();
  }

  private static RestartPolicy.Builder quick() {
    return RestartPolicy.builder()
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .jitter(0.2);
  }

  /** Crashes (exit 3) the first {@code crashes} times it runs, then exits 0. */
  private AgentConfig crashing(int crashes) {
    return crashing(crashes, "");
  }

  /**
   * Like {@link #crashing(int)}, but the first run ends only once its stdin is closed: the test
   * registers its listeners first, so they see every restart.
   */
  private AgentConfig crashingOnceReleased(int crashes) {
    return crashing(crashes, "[ $n -gt 1 ] || read -r _; ");
  }

  private AgentConfig crashing(int crashes, String firstRun) {
    Path count = dir.resolve("runs");
    return AgentConfig.builder()
        .name("flaky")
        .command(
            Scripts.shell(
                "n=$(cat "
                    + count
                    + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > "
                    + count
                    + "; "
                    + firstRun
                    + "[ $n -gt "
                    + crashes
                    + " ] || exit 3"))
        .build();
  }

  @Test
  void onFailureRestartsACrashedAgentWithGrowingBackoffUntilItSucceeds() throws Exception {
    List<SupervisedAgent.Restart> restarts = new CopyOnWriteArrayList<>();
    SupervisedAgent a =
        SupervisedAgent.start(
            runner, crashingOnceReleased(2), quick().jitter(0).maxRestarts(5).build());
    a.onRestart(restarts::add);
    a.current().closeStdin();

    SupervisedAgent.End end = a.onEnd().get(1, TimeUnit.MINUTES);

    assertThat(end.state()).isEqualTo(SupervisedAgent.State.COMPLETED);
    assertThat(end.restarts()).isEqualTo(2);
    assertThat(a.runs()).hasSize(3);
    assertThat(a.runs().getFirst().status()).isEqualTo(AgentStatus.FAILED);
    assertThat(a.current().status()).isEqualTo(AgentStatus.COMPLETED);
    assertThat(restarts)
        .extracting(SupervisedAgent.Restart::delay)
        .containsExactly(Duration.ofMillis(20), Duration.ofMillis(40));
    assertThat(restarts.getFirst().reason()).contains("exit 3");
    assertThat(Files.readString(dir.resolve("runs")).strip()).isEqualTo("3");
  }

  @Test
  void listenersAddedAfterTheEndAreToldEveryRunAndRestartOnceInOrder() throws Exception {
    SupervisedAgent a =
        SupervisedAgent.start(runner, crashing(100), quick().jitter(0).maxRestarts(2).build());
    a.onEnd().get(1, TimeUnit.MINUTES);

    List<SupervisedAgent.Restart> restarts = new CopyOnWriteArrayList<>();
    List<AgentHandle> runs = new CopyOnWriteArrayList<>();
    a.onRestart(restarts::add);
    a.onRun(runs::add);

    assertThat(restarts)
        .extracting(SupervisedAgent.Restart::number, SupervisedAgent.Restart::delay)
        .containsExactly(tuple(1, Duration.ofMillis(20)), tuple(2, Duration.ofMillis(40)));
    assertThat(runs).containsExactlyElementsOf(a.runs()).hasSize(3);
  }

  @Test
  void aListenerAddedWhileRestartsHappenSeesEachExactlyOnce() throws Exception {
    SupervisedAgent a =
        SupervisedAgent.start(
            runner,
            crashing(100),
            RestartPolicy.builder()
                .backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .jitter(0)
                .maxRestarts(20)
                .build());
    List<List<Integer>> seen = new ArrayList<>();
    while (!a.onEnd().isDone()) { // a listener added at each stage of the crash loop
      List<Integer> numbers = new CopyOnWriteArrayList<>();
      a.onRestart(r -> numbers.add(r.number()));
      seen.add(numbers);
      int before = a.restarts();
      while (a.restarts() == before && !a.onEnd().isDone()) {
        Thread.onSpinWait();
      }
    }
    SupervisedAgent.End end = a.onEnd().get(1, TimeUnit.MINUTES);

    assertThat(end.restarts()).isEqualTo(20);
    List<Integer> all = IntStream.rangeClosed(1, 20).boxed().toList();
    assertThat(seen).isNotEmpty().allSatisfy(numbers -> assertThat(numbers).isEqualTo(all));
  }

  @Test
  void listenersThatThrowDoNotStopSupervision() throws Exception {
    SupervisedAgent a =
        SupervisedAgent.start(
            runner, crashingOnceReleased(2), quick().jitter(0).maxRestarts(5).build());
    var first = a.current();
    List<SupervisedAgent.Restart> restarts = new CopyOnWriteArrayList<>();
    a.onRestart(
        r -> {
          throw new AssertionError("restart listener bug");
        });
    a.onRestart(restarts::add);
    a.onRun(
        h -> {
          if (h != first) {
            throw new IllegalStateException("run listener bug");
          }
        });
    first.closeStdin();

    SupervisedAgent.End end = a.onEnd().get(1, TimeUnit.MINUTES);

    assertThat(end.state()).isEqualTo(SupervisedAgent.State.COMPLETED);
    assertThat(end.restarts()).isEqualTo(2);
    assertThat(restarts).hasSize(2);
    assertThat(a.runs()).hasSize(3);
  }

  @Test
  void aCrashLoopEndsWithTheAgentFailedAndTheReason() throws Exception {
    SupervisedAgent a =
        SupervisedAgent.start(runner, crashing(100), quick().maxRestarts(2).build());

    SupervisedAgent.End end = a.onEnd().get(1, TimeUnit.MINUTES);

    assertThat(end.state()).isEqualTo(SupervisedAgent.State.FAILED);
    assertThat(end.reason()).startsWith("crash loop: 2 restarts in a row").contains("exit 3");
    assertThat(a.runs()).hasSize(3);
    assertThat(a.state()).isEqualTo(SupervisedAgent.State.FAILED);
  }

  @Test
  void neverMeansOneRunAndOnFailureDoesNotRestartASuccess() throws Exception {
    SupervisedAgent never = SupervisedAgent.start(runner, crashing(1), RestartPolicy.NEVER);
    assertThat(never.onEnd().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(SupervisedAgent.State.FAILED);
    assertThat(never.runs()).hasSize(1);

    SupervisedAgent ok =
        SupervisedAgent.start(
            runner, AgentConfig.builder().name("ok").command("true").build(), quick().build());
    assertThat(ok.onEnd().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(SupervisedAgent.State.COMPLETED);
    assertThat(ok.restarts()).isZero();
  }

  @Test
  void alwaysRestartsAfterSuccessToo() throws Exception {
    SupervisedAgent a =
        SupervisedAgent.start(
            runner,
            AgentConfig.builder().name("ok").command("true").build(),
            quick().mode(RestartPolicy.Mode.ALWAYS).maxRestarts(2).build());

    SupervisedAgent.End end = a.onEnd().get(1, TimeUnit.MINUTES);

    assertThat(a.runs()).hasSize(3);
    assertThat(end.state()).isEqualTo(SupervisedAgent.State.FAILED);
    assertThat(end.reason()).startsWith("crash loop");
  }

  @Test
  void stopDuringTheBackoffEndsSupervisionWithoutAnotherRun() throws Exception {
    SupervisedAgent a =
        SupervisedAgent.start(
            runner,
            crashing(100),
            RestartPolicy.builder()
                .backoff(Duration.ofMinutes(10), Duration.ofMinutes(10))
                .build());
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> a.state() == SupervisedAgent.State.BACKING_OFF);
    assertThat(a.nextStartAt()).isPresent();

    a.stop(Duration.ofSeconds(5));

    assertThat(a.onEnd().get(1, TimeUnit.MINUTES).state()).isEqualTo(SupervisedAgent.State.STOPPED);
    assertThat(a.runs()).hasSize(1);
  }
}
