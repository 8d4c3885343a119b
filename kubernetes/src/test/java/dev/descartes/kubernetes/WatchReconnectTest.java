package dev.descartes.kubernetes;

import static dev.descartes.kubernetes.PodStates.running;
import static dev.descartes.kubernetes.PodStates.terminated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's Pod watch when the connection to the API server drops: the mock server is stopped
 * (which closes the informer's watch socket) and started again on the same port with the same
 * stored objects, as an API server restarts or a load balancer cuts a long watch. What happened to
 * the Pod while the watch was down must still reach the agent.
 */
class WatchReconnectTest {

  private static final String NS = "agents";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
  private final KubernetesMixedDispatcher store = new KubernetesMixedDispatcher(expectations);
  private KubernetesMockServer api;
  private KubernetesClient runnerClient;
  private KubernetesClient kubelet;
  private KubernetesRunner runner;
  private int port;

  @BeforeEach
  void start() {
    api = serve(0);
    port = api.getPort();
    runnerClient = api.createClient();
    kubelet = api.createClient();
    runner =
        new KubernetesRunner(
            runnerClient,
            KubernetesRunnerConfig.builder(NS, "agents:1")
                .startTimeout(WAIT)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build());
  }

  @AfterEach
  void stop() {
    try {
      runner.close();
    } finally {
      runnerClient.close();
      kubelet.close();
      api.destroy();
    }
  }

  private KubernetesMockServer serve(int onPort) {
    KubernetesMockServer s =
        new KubernetesMockServer(new Context(), new MockWebServer(), expectations, store, false);
    s.init(InetAddress.getLoopbackAddress(), onPort);
    return s;
  }

  /**
   * Stops the API server (its open watch sockets close), lets {@code meanwhile} change the stored
   * objects through a stand-in server while it is down, and starts it again on the same port.
   */
  private void dropTheConnection(Consumer<KubernetesClient> meanwhile) {
    api.destroy();
    KubernetesMockServer standIn = serve(0);
    try (KubernetesClient c = standIn.createClient()) {
      meanwhile.accept(c);
    } finally {
      standIn.destroy();
    }
    api = serve(port);
  }

  @Test
  void aPodThatEndsWhileTheWatchIsDownIsSeenOnceItReconnects() throws Exception {
    AgentHandle h = spawnRunning("working\n");

    dropTheConnection(c -> setStatus(c, h, 3));

    awaitTheWatchAgain();
    assertThat(h.waitFor(WAIT)).as("the agent ended, as the relisted Pod says").isPresent();
    assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
    assertThat(h.info().exitStatus().orElseThrow().code()).hasValue(3);
    assertThat(h.outcome().orElseThrow().success()).isFalse();
    await().atMost(WAIT).until(() -> kubelet.pods().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void aPodThatEndsAfterTheWatchReconnectedIsSeen() throws Exception {
    AgentHandle h = spawnRunning("working\n");

    dropTheConnection(c -> {});
    assertThat(h.status())
        .as("a dropped watch does not end the agent")
        .isEqualTo(AgentStatus.RUNNING);
    awaitTheWatchAgain();
    setStatus(kubelet, h, 0);

    assertThat(h.waitFor(WAIT)).isPresent();
    assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
    assertThat(h.info().exitStatus().orElseThrow().code()).hasValue(0);
    assertThat(h.outcome().orElseThrow().success()).isTrue();
  }

  /** Waits until the runner's informer has opened its watch on the restarted server. */
  private void awaitTheWatchAgain() {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              RecordedRequest r = api.takeRequest(1, TimeUnit.SECONDS);
              return r != null && r.getPath().contains("watch=true");
            });
  }

  private AgentHandle spawnRunning(String log) throws Exception {
    Thread node =
        Thread.ofVirtual()
            .start(
                () -> {
                  Pod[] pod = new Pod[1];
                  await()
                      .atMost(WAIT)
                      .until(
                          () -> {
                            List<Pod> pods = kubelet.pods().inNamespace(NS).list().getItems();
                            pod[0] = pods.isEmpty() ? null : pods.getFirst();
                            return pod[0] != null;
                          });
                  api.expect()
                      .get()
                      .withPath(
                          "/api/v1/namespaces/"
                              + NS
                              + "/pods/"
                              + pod[0].getMetadata().getName()
                              + "/log?pretty=false&container=agent&follow=true")
                      .andReturn(200, log)
                      .once();
                  kubelet.pods().inNamespace(NS).resource(running(pod[0])).update();
                });
    AgentHandle h = runner.spawn(AgentConfig.builder().command("sh", "-c", "work").build());
    node.join();
    assertThat(h.status()).isEqualTo(AgentStatus.RUNNING);
    return h;
  }

  private static void setStatus(KubernetesClient c, AgentHandle h, int code) {
    String name = PodManifests.name(h.id());
    Pod p = c.pods().inNamespace(NS).withName(name).get();
    c.pods().inNamespace(NS).resource(terminated(p, code)).update();
  }
}
