package dev.descartes.runner.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentPool;
import dev.descartes.runner.AgentRunner;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.PoolConfig;
import dev.descartes.runner.PooledAgent;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent pool with a command agent that reads tasks on stdin: warm agents, fresh agents per
 * lease, reuse when configured, the maximum, agents that die while idle, and close.
 */
@ExtendWith(LeakCheck.class)
class AgentPoolTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Answers each stdin line with "done: LINE" and its pid; exits at end of input. */
  private static final AgentConfig WORKER =
      AgentConfig.builder()
          .name("worker")
          .command(Scripts.shell("while read -r task; do echo \"done: $task by $$\"; done"))
          .build();

  private final LocalProcessRunner runner = TestRunners.runner();

  @AfterEach
  void close() {
    runner.close();
  }

  @Test
  void keepsMinWarmAgentsReadyAndEachLeaseGetsAFreshOneWhichIsReplaced() throws Exception {
    try (AgentPool pool =
        AgentPool.create(runner, PoolConfig.builder(WORKER).minWarm(2).maxAgents(3).build())) {
      await().atMost(WAIT).until(() -> pool.stats().ready() == 2);

      Set<Long> pids = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        try (PooledAgent a = pool.lease()) {
          a.send("task " + i);
          String line =
              new String(a.handle().readStdout(WAIT).orElseThrow(), StandardCharsets.UTF_8);
          assertThat(line).startsWith("done: task " + i + " by ");
          assertThat(pids.add(a.handle().pid()))
              .as("a released agent is never leased again")
              .isTrue();
        }
      }

      await().atMost(WAIT).until(() -> pool.stats().ready() == 2 && pool.stats().leased() == 0);
      assertThat(pool.stats().leases()).isEqualTo(4);
    }
  }

  @Test
  void reuseKeepsAReleasedAgentForTheNextLease() throws Exception {
    try (AgentPool pool =
        AgentPool.create(
            runner, PoolConfig.builder(WORKER).minWarm(1).maxAgents(1).reuse(true).build())) {
      long first;
      try (PooledAgent a = pool.lease(WAIT)) {
        first = a.handle().pid();
      }
      try (PooledAgent b = pool.lease(WAIT)) {
        assertThat(b.handle().pid()).isEqualTo(first);
        b.send("again");
        assertThat(new String(b.handle().readStdout(WAIT).orElseThrow(), StandardCharsets.UTF_8))
            .startsWith("done: again");
      }
    }
  }

  @Test
  void leaseBeyondMaxAgentsWaitsThenReportsLimitReached() throws Exception {
    try (AgentPool pool =
        AgentPool.create(runner, PoolConfig.builder(WORKER).minWarm(0).maxAgents(2).build())) {
      List<PooledAgent> held = new ArrayList<>();
      held.add(pool.lease(WAIT));
      held.add(pool.lease(WAIT));

      assertThatThrownBy(() -> pool.lease(Duration.ofMillis(300)))
          .isInstanceOf(AgentException.LimitReached.class)
          .hasMessageContaining("2 leased")
          .satisfies(e -> assertThat(((AgentException.LimitReached) e).limit()).isEqualTo(2));

      held.getFirst().close();
      try (PooledAgent third = pool.lease(WAIT)) {
        assertThat(third.handle().status()).isEqualTo(AgentStatus.RUNNING);
      }
      held.forEach(PooledAgent::close);
    }
  }

  @Test
  void anAgentThatDiesWhileIdleIsReplacedAndNeverHandedOut() throws Exception {
    try (AgentPool pool =
        AgentPool.create(
            runner,
            PoolConfig.builder(WORKER)
                .minWarm(1)
                .maxAgents(2)
                .healthCheckInterval(Duration.ofMillis(200))
                .build())) {
      await().atMost(WAIT).until(() -> pool.stats().ready() == 1);
      AgentHandle victim =
          runner.listAgents().stream()
              .filter(i -> i.status().isLive())
              .map(i -> runner.getHandle(i.id()).orElseThrow())
              .findFirst()
              .orElseThrow();
      victim.kill();
      victim.waitFor();

      await().atMost(WAIT).until(() -> pool.stats().replaced() == 1 && pool.stats().ready() == 1);
      try (PooledAgent a = pool.lease(WAIT)) {
        assertThat(a.handle().id()).isNotEqualTo(victim.id());
        assertThat(a.handle().status().isLive()).isTrue();
      }
    }
  }

  @Test
  void anAgentFailingTheHealthCheckIsReplaced() throws Exception {
    Set<Long> unhealthy = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (AgentPool pool =
        AgentPool.create(
            runner,
            PoolConfig.builder(WORKER)
                .minWarm(1)
                .maxAgents(2)
                .healthCheckInterval(Duration.ofMillis(200))
                .healthCheck(h -> !unhealthy.contains(h.pid()))
                .build())) {
      await().atMost(WAIT).until(() -> pool.stats().ready() == 1);
      runner.listAgents().stream()
          .filter(i -> i.status().isLive())
          .forEach(i -> unhealthy.add(i.pid()));

      await().atMost(WAIT).until(() -> pool.stats().replaced() >= 1 && pool.stats().ready() == 1);
      try (PooledAgent a = pool.lease(WAIT)) {
        assertThat(unhealthy).doesNotContain(a.handle().pid());
      }
    }
  }

  @Test
  void aStartThatThrowsAnErrorIsRetried() throws Exception {
    AtomicInteger spawns = new AtomicInteger();
    AgentRunner firstSpawnFails =
        (AgentRunner)
            Proxy.newProxyInstance(
                AgentRunner.class.getClassLoader(),
                new Class<?>[] {AgentRunner.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("spawn") && spawns.getAndIncrement() == 0) {
                    throw new AssertionError("spawn bug");
                  }
                  try {
                    return method.invoke(runner, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    try (AgentPool pool =
        AgentPool.create(
            firstSpawnFails,
            PoolConfig.builder(WORKER)
                .minWarm(1)
                .maxAgents(1)
                .healthCheckInterval(Duration.ofMillis(200))
                .build())) {
      try (PooledAgent a = pool.lease(WAIT)) {
        assertThat(a.handle().status().isLive()).isTrue();
      }
      assertThat(spawns.get()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void closingThePoolStopsLeasedAndIdleAgents() throws Exception {
    AgentPool pool =
        AgentPool.create(runner, PoolConfig.builder(WORKER).minWarm(2).maxAgents(3).build());
    PooledAgent leased = pool.lease(WAIT);
    await().atMost(WAIT).until(() -> pool.stats().ready() == 2);

    pool.close();

    assertThat(leased.handle().status().isLive()).isFalse();
    assertThat(runner.listAgents()).allSatisfy(i -> assertThat(i.status().isLive()).isFalse());
    assertThatThrownBy(pool::lease).isInstanceOf(AgentException.Execution.class);
  }

  @Test
  void aBackendAgentMustBeMultiTurnToBePooled() {
    assertThatThrownBy(
            () -> PoolConfig.builder(AgentConfig.builder().modelBackend("claude").build()).build())
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageContaining("multiTurn(true)");
  }
}
