package dev.descartes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.testing.LeakCheck;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many agents under one daemon, each followed over SSE by several clients that keep up: every
 * client gets every event of every agent, ids 1..n without a hole, and no gap. Sized for CI by
 * default; the full figure (200 agents, 20 clients) by hand:
 *
 * <pre>./mvnw -pl server -am verify -Dtest=FleetLoadTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Ddescartes.load.agents=200 -Ddescartes.load.clients=20</pre>
 */
@ExtendWith(LeakCheck.class)
class FleetLoadTest {

  private static final int AGENTS = Integer.getInteger("descartes.load.agents", 24);
  private static final int CLIENTS = Integer.getInteger("descartes.load.clients", 4);
  private static final int STEPS = Integer.getInteger("descartes.load.steps", 10);

  @Test
  void everyClientThatKeepsUpGetsEveryEventOfEveryAgent() throws Exception {
    var heap = ManagementFactory.getMemoryMXBean();
    System.gc();
    long heapBefore = heap.getHeapMemoryUsage().getUsed();
    try (TestDaemon d = new TestDaemon()) {
      ObjectNode fleet = EventJson.MAPPER.createObjectNode();
      ObjectNode agents = fleet.putObject("agents");
      for (int i = 0; i < AGENTS; i++) {
        ObjectNode a = agents.putObject("agent-" + i);
        a.putArray("command").add(TestDaemon.FAKE_AGENT);
        a.put("task", "load " + i);
        a.putObject("env").put("STEPS", STEPS).put("DELAY", "0.05").put("COST", "0.001");
      }
      long t0 = System.nanoTime();
      JsonNode started = d.json("POST", "/api/fleets", fleet.toString());
      List<String> ids = new ArrayList<>();
      started.get("agents").forEach(a -> ids.add(a.get("id").asText()));
      assertThat(ids).hasSize(AGENTS);

      long[] peakHeap = {0};
      Thread sampler =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                      peakHeap[0] = Math.max(peakHeap[0], heap.getHeapMemoryUsage().getUsed());
                      try {
                        Thread.sleep(100); // sampling interval, not a wait for a condition
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      var received = new ConcurrentHashMap<String, List<Long>>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> streams = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          for (String id : ids) {
            String key = c + "/" + id;
            streams.add(
                pool.submit(
                    () -> {
                      List<TestDaemon.Sse> events =
                          d.stream("/api/agents/" + id + "/events", null, Integer.MAX_VALUE);
                      assertThat(events.stream().filter(e -> e.event().equals("gap")))
                          .as(key)
                          .isEmpty();
                      assertThat(events.getLast().event()).as(key).isEqualTo("end");
                      received.put(
                          key,
                          events.stream().filter(e -> e.id() > 0).map(TestDaemon.Sse::id).toList());
                      return null;
                    }));
          }
        }
        for (Future<?> f : streams) {
          f.get(10, TimeUnit.MINUTES);
        }
      }
      sampler.interrupt();
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      long total = 0;
      for (String id : ids) {
        long last = d.json("GET", "/api/agents/" + id, null).get("last_event_id").asLong();
        for (int c = 0; c < CLIENTS; c++) {
          List<Long> got = received.get(c + "/" + id);
          assertThat(got).as("client %d, agent %s", c, id).hasSize((int) last);
          assertThat(got.getFirst()).isEqualTo(1L);
          assertThat(got.getLast()).isEqualTo(last);
          total += got.size();
        }
      }
      System.gc();
      long heapAfter = heap.getHeapMemoryUsage().getUsed();
      System.out.printf(
          "load: %d agents, %d clients, %d SSE streams, %d events delivered, 0 lost, %d ms; "
              + "heap used before %d MiB, peak sampled %d MiB, after GC %d MiB%n",
          AGENTS,
          CLIENTS,
          AGENTS * CLIENTS,
          total,
          elapsedMs,
          heapBefore >> 20,
          peakHeap[0] >> 20,
          heapAfter >> 20);
      String metrics = d.send("GET", "/metrics", null).body();
      assertThat(metrics)
          .contains("descartes_agent_spawns_total{backend=\"command\"} " + AGENTS + ".0");
    }
  }
}
