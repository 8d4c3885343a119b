package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stops are never lost, whatever the moment they come: a kill or signal that reaches an agent still
 * STARTING is carried out once its process exists, and {@code close()} racing with {@code spawn()}
 * on other threads returns only once every agent any of them got is stopped.
 */
@ExtendWith(LeakCheck.class)
class StopWhileStartingTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * A watcher thread kills (or signals) each agent the moment the runner lists it, usually before
   * its spawn has returned; every agent must end TERMINATED and no call may throw.
   */
  @Test
  void aStopThatReachesAStartingAgentIsCarriedOutOnceTheProcessExists() throws Exception {
    try (var runner = TestRunners.runner()) {
      Set<AgentId> seen = ConcurrentHashMap.newKeySet();
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      AtomicInteger startingHits = new AtomicInteger();
      AtomicBoolean done = new AtomicBoolean();
      Thread watcher =
          Thread.ofPlatform()
              .start(
                  () -> {
                    int n = 0;
                    while (!done.get()) {
                      for (AgentInfo a : runner.listAgents()) {
                        if (seen.add(a.id())) {
                          try {
                            AgentHandle h = runner.getHandle(a.id()).orElseThrow();
                            if (h.status() == AgentStatus.STARTING) {
                              startingHits.incrementAndGet();
                            }
                            if (n++ % 2 == 0) {
                              h.kill();
                            } else {
                              h.signal(AgentSignal.TERMINATE);
                            }
                          } catch (Throwable t) {
                            errors.add(t);
                          }
                        }
                      }
                      Thread.onSpinWait();
                    }
                  });
      List<AgentHandle> handles = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 40; i++) {
        handles.add(
            runner.spawn(AgentConfig.builder().name("s" + i).command("sleep", "300").build()));
      }
      await().atMost(WAIT).until(() -> seen.size() == handles.size());
      done.set(true);
      watcher.join();
      assertThat(errors).isEmpty();
      for (AgentHandle h : handles) {
        assertThat(h.waitFor(WAIT)).as(h.toString()).isPresent();
        assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
      }
      System.out.println(
          "stops that reached a STARTING agent: " + startingHits.get() + " of " + handles.size());
    }
  }

  @Test
  void closeRacingWithSpawnsReturnsOnlyOnceEveryAgentIsStopped() throws Exception {
    for (int round = 0; round < 3; round++) {
      List<AgentHandle> got = new CopyOnWriteArrayList<>();
      var runner = TestRunners.runner(TestRunners.config().shutdownTimeout(Duration.ofSeconds(2)));
      List<Thread> spawners = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        spawners.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < 50; i++) {
                        try {
                          got.add(
                              runner.spawn(
                                  AgentConfig.builder().name("r").command("sleep", "300").build()));
                        } catch (AgentException.Execution closed) {
                          return; // refused: the runner is closed
                        }
                      }
                    }));
      }
      await().atMost(WAIT).until(() -> got.size() >= 4);
      runner.close();
      for (AgentHandle h : got) {
        assertThat(h.status())
            .as("close() has returned: " + h)
            .isIn(AgentStatus.TERMINATED, AgentStatus.COMPLETED, AgentStatus.FAILED);
      }
      for (Thread t : spawners) {
        t.join();
      }
      for (AgentHandle h : got) {
        assertThat(h.status().isTerminal()).as("spawned before close refused: " + h).isTrue();
      }
    }
  }
}
