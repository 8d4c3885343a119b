package dev.descartes.kubernetes;

import static dev.descartes.kubernetes.PodStates.running;
import static dev.descartes.kubernetes.PodStates.terminated;
import static dev.descartes.kubernetes.PodStates.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.TemplateBackend;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes runner against the fabric8 mock API server (CRUD mode, with expectations for the
 * log and exec endpoints). There is no kubelet: the test plays it, setting each Pod's status as a
 * node would, and the runner sees it through its informer.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesRunnerTest {

  private static final String NS = "agents";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CLAUDE_LOG =
      """
      {"type":"system","subtype":"init","session_id":"s-1","model":"fake-model"}
      {"type":"assistant","message":{"content":[{"type":"text","text":"Working on it"}]},"session_id":"s-1"}
      {"type":"result","subtype":"success","is_error":false,"result":"All done","num_turns":1,"total_cost_usd":0.01,"usage":{"input_tokens":3,"output_tokens":4},"session_id":"s-1"}
      """;

  KubernetesMockServer server;
  KubernetesClient client;
  KubernetesRunner runner;

  @BeforeEach
  void start() {
    runner =
        new KubernetesRunner(
            client,
            KubernetesRunnerConfig.builder(NS, "agents:1")
                .runtimeClassName("gvisor")
                .startTimeout(WAIT)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build());
  }

  @AfterEach
  void stop() {
    runner.close();
  }

  @Test
  void claudeAgentRunsAsAPodAndItsLogBecomesTheSameEventsAndOutcome() throws Exception {
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              expectLog(pod, CLAUDE_LOG);
              return running(pod);
            });

    AgentHandle h =
        runner.spawn(
            AgentConfig.builder()
                .name("reviewer")
                .modelBackend("claude")
                .task("Review the last commit")
                .env("ANTHROPIC_API_KEY", "sk-very-secret")
                .limits(ResourceLimits.builder().memoryBytes(512L << 20).cpus(1.5).build())
                .build());
    Pod pod = created.get();
    List<AgentEvent> events = new ArrayList<>();
    h.onEvent(events::add);
    setStatus(pod.getMetadata().getName(), p -> terminated(p, 0));

    assertThat(h.waitFor(WAIT)).isPresent();
    assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
    AgentOutcome outcome = h.outcome().orElseThrow();
    assertThat(outcome.success()).isTrue();
    assertThat(outcome.resultText()).contains("All done");
    assertThat(outcome.sessionId()).contains("s-1");
    List<AgentEvent> all = new ArrayList<>();
    h.events().forEach(all::add);
    assertThat(all).first().isInstanceOf(AgentEvent.Started.class);
    assertThat(all)
        .hasAtLeastOneElementOfType(AgentEvent.SessionStarted.class)
        .hasAtLeastOneElementOfType(AgentEvent.AssistantText.class)
        .hasAtLeastOneElementOfType(AgentEvent.Result.class);
    assertThat(all).last().isInstanceOf(AgentEvent.Exited.class);

    assertThat(pod.getMetadata().getLabels())
        .containsEntry("descartes.dev/agent-id", h.id().toString())
        .containsEntry("descartes.dev/agent-name", "reviewer");
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(Serialization.asJson(pod))
        .doesNotContain("sk-very-secret")
        .doesNotContain("Review the last commit");
    assertThat(pod.getSpec().getContainers().getFirst().getResources().getLimits())
        .containsKeys("memory", "cpu");
    assertThat(runner.listAgents())
        .singleElement()
        .satisfies(i -> assertThat(i.status()).isEqualTo(AgentStatus.COMPLETED));
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.pods().inNamespace(NS).list().getItems().isEmpty()
                    && client.secrets().inNamespace(NS).list().getItems().isEmpty()
                    && client.configMaps().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void environmentGoesInASecretAndThePromptInAConfigMap() throws Exception {
    List<Secret> secrets = new ArrayList<>();
    List<String> stdin = new ArrayList<>();
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              String name = pod.getMetadata().getName();
              secrets.add(client.secrets().inNamespace(NS).withName(name).get());
              stdin.add(
                  new String(
                      Base64.getDecoder()
                          .decode(
                              client
                                  .configMaps()
                                  .inNamespace(NS)
                                  .withName(name)
                                  .get()
                                  .getBinaryData()
                                  .get("stdin")),
                      StandardCharsets.UTF_8));
              expectLog(pod, CLAUDE_LOG);
              return running(pod);
            });

    AgentHandle h =
        runner.spawn(
            AgentConfig.builder()
                .name("r")
                .modelBackend("claude")
                .task("Review the last commit")
                .context("Only src/")
                .env("ANTHROPIC_API_KEY", "sk-very-secret")
                .build());
    Pod pod = created.get();
    setStatus(pod.getMetadata().getName(), p -> terminated(p, 0));
    h.waitFor(WAIT);

    assertThat(
            secrets.getFirst().getStringData() != null
                ? secrets.getFirst().getStringData()
                : decode(secrets.getFirst()))
        .containsEntry("ANTHROPIC_API_KEY", "sk-very-secret")
        .containsEntry("DESCARTES_AGENT_ID", h.id().toString());
    assertThat(stdin.getFirst()).contains("Review the last commit").contains("Only src/");
    assertThat(pod.getSpec().getContainers().getFirst().getCommand())
        .startsWith("/bin/sh", "-c")
        .contains("claude", "-p");
  }

  @Test
  void anImagePullErrorIsASpawnFailureAndLeavesNothing() {
    kubelet(pod -> waiting(pod, "ErrImagePull", "pull access denied for agents:1"));

    assertThatThrownBy(() -> runner.spawn(command("echo", "hi")))
        .isInstanceOf(AgentException.SpawnFailed.class)
        .hasMessageContaining("cannot be pulled")
        .hasMessageContaining("ErrImagePull");
    assertThat(runner.listAgents()).isEmpty();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.pods().inNamespace(NS).list().getItems().isEmpty()
                    && client.secrets().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void aPodThatCannotBeScheduledIsASpawnFailure() {
    kubelet(
        pod ->
            new PodBuilder(pod)
                .withNewStatus()
                .withPhase("Pending")
                .withConditions(
                    new PodConditionBuilder()
                        .withType("PodScheduled")
                        .withStatus("False")
                        .withReason("Unschedulable")
                        .withMessage("0/3 nodes are available: 3 Insufficient memory.")
                        .build())
                .endStatus()
                .build());

    assertThatThrownBy(() -> runner.spawn(command("echo", "hi")))
        .isInstanceOf(AgentException.SpawnFailed.class)
        .hasMessageContaining("cannot be scheduled")
        .hasMessageContaining("Insufficient memory");
    await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void aListenerThatThrowsAnErrorStopsNeitherTheOthersNorTheAgentsEnd() throws Exception {
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              expectLog(pod, "working\n");
              return running(pod);
            });
    List<AgentEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (AutoCloseable _ =
        runner.onEvent(
            e -> {
              throw new AssertionError("a listener's bug");
            })) {
      AgentHandle h = runner.spawn(command("sh", "-c", "echo working; sleep 1000"));
      h.onEvent(
          e -> {
            throw new AssertionError("another listener's bug");
          });
      h.onEvent(seen::add);
      Pod pod = created.get();

      setStatus(pod.getMetadata().getName(), p -> terminated(p, 0));

      assertThat(h.waitFor(WAIT)).isPresent();
      assertThat(h.status()).isEqualTo(AgentStatus.COMPLETED);
      assertThat(h.onExit()).succeedsWithin(WAIT);
      assertThat(seen).last().isInstanceOf(AgentEvent.Exited.class);
    }
  }

  @Test
  void aPodDeletedBehindTheRunnersBackEndsTheAgentAsFailed() throws Exception {
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              expectLog(pod, "working\n");
              return running(pod);
            });
    AgentHandle h = runner.spawn(command("sh", "-c", "echo working; sleep 1000"));
    Pod pod = created.get();

    client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).delete();

    assertThat(h.waitFor(WAIT)).isPresent();
    assertThat(h.status()).isEqualTo(AgentStatus.FAILED);
    assertThat(h.outcome().orElseThrow().success()).isFalse();
    await().atMost(WAIT).until(() -> client.secrets().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void killDeletesThePodAndTheAgentEndsTerminated() throws Exception {
    AgentHandle h = spawnRunning(command("sleep", "1000"));

    runner.kill(h.id());

    assertThat(h.waitFor(WAIT)).isPresent();
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void signalsRunKillInTheContainer() throws Exception {
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              expectLog(pod, "");
              expectKill(pod, "INT");
              return running(pod);
            });
    AgentHandle h = runner.spawn(command("sleep", "1000"));
    Pod pod = created.get();

    h.signal(AgentSignal.INTERRUPT);

    assertThat(h.status()).isEqualTo(AgentStatus.STOPPING);
    setStatus(pod.getMetadata().getName(), p -> terminated(p, 130));
    assertThat(h.waitFor(WAIT)).isPresent();
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    assertThat(h.info().exitStatus().orElseThrow().signal()).hasValue(2);
  }

  @Test
  void stopStillDeletesThePodWhenTheSignalCannotBeSent() throws Exception {
    AgentHandle h = spawnRunning(command("sleep", "1000"));

    assertStopKillsItAndLeavesNoPod(h);
  }

  @Test
  void aBackendWhoseStopSequenceThrowsIsStoppedWithTheDefault() throws Exception {
    runner.close();
    runner =
        new KubernetesRunner(
            client,
            KubernetesRunnerConfig.builder(NS, "agents:1")
                .startTimeout(WAIT)
                .backend(
                    TemplateBackend.builder("broken-stop")
                        .command("sleep", "1000")
                        .stopSequence(
                            timeout -> {
                              throw new AssertionError("stop sequence bug");
                            })
                        .build())
                .build());
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              expectLog(pod, "");
              expectKill(pod, "TERM");
              return running(pod);
            });
    AgentHandle h =
        runner.spawn(AgentConfig.builder().name("b").modelBackend("broken-stop").task("t").build());
    created.get();

    assertStopKillsItAndLeavesNoPod(h);
  }

  @Test
  void aSandboxBecomesTheRuntimeClassAndANetworkPolicy() throws Exception {
    List<Object> policies = new ArrayList<>();
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              policies.addAll(
                  client.network().v1().networkPolicies().inNamespace(NS).list().getItems());
              expectLog(pod, "");
              return running(pod);
            });
    AgentHandle h =
        runner.spawn(
            command("true").toBuilder()
                .sandbox(
                    AgentSandbox.builder()
                        .network(
                            AgentSandbox.Network.allow(AgentSandbox.Endpoint.parse("10.0.0.7:443")))
                        .build())
                .build());
    Pod pod = created.get();
    setStatus(pod.getMetadata().getName(), p -> terminated(p, 0));
    h.waitFor(WAIT);

    assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("gvisor");
    assertThat(Serialization.asJson(policies))
        .contains("10.0.0.7/32")
        .contains("443")
        .contains("Egress");
    await()
        .atMost(WAIT)
        .until(
            () ->
                client
                    .network()
                    .v1()
                    .networkPolicies()
                    .inNamespace(NS)
                    .list()
                    .getItems()
                    .isEmpty());
  }

  @Test
  void aSpawnThatRegistersAfterCloseBeganIsRefusedAndCreatesNothing() throws Exception {
    int n = 3;
    CountDownLatch launching = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1);
    AgentBackend sleeper = TemplateBackend.builder("gated").command("sleep", "1000").build();
    AgentBackend gated =
        new AgentBackend() {
          @Override
          public String name() {
            return "gated";
          }

          @Override
          public LaunchSpec launch(AgentConfig config) {
            launching.countDown();
            try {
              release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return sleeper.launch(config);
          }
        };
    KubernetesRunner closing =
        new KubernetesRunner(
            client,
            KubernetesRunnerConfig.builder(NS, "agents:1")
                .startTimeout(Duration.ofSeconds(10))
                .shutdownTimeout(Duration.ofSeconds(2))
                .backend(gated)
                .build());
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<AgentHandle>> spawns = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        AgentConfig cfg =
            AgentConfig.builder().name("g" + i).modelBackend("gated").task("t").build();
        spawns.add(threads.submit(() -> closing.spawn(cfg)));
      }
      // every spawn is past its first check and has not registered its agent yet
      assertThat(launching.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      closing.close();
      release.countDown();

      for (Future<AgentHandle> f : spawns) {
        assertSpawnEndedOrRefused(f);
      }
      assertNoObjectsLeft();
    } finally {
      release.countDown();
    }
  }

  @Test
  void closeWaitsForSpawnsCreatingTheirObjectsAndDeletesAllOfThem() throws Exception {
    int n = 3;
    CountDownLatch creatingPods = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1);
    KubernetesClient gatedClient =
        server.createClient(
            b ->
                b.withHttpClientBuilderConsumer(
                    h ->
                        h.addOrReplaceInterceptor(
                            "hold-pod-creation",
                            new Interceptor() {
                              @Override
                              public void before(
                                  BasicBuilder builder, HttpRequest request, RequestTags tags) {
                                if ("POST".equals(request.method())
                                    && request.uri().getPath().endsWith("/pods")) {
                                  creatingPods.countDown();
                                  try {
                                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                                  } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                  }
                                }
                              }
                            })));
    KubernetesRunner closing =
        new KubernetesRunner(
            gatedClient,
            KubernetesRunnerConfig.builder(NS, "agents:1")
                .startTimeout(WAIT)
                .shutdownTimeout(Duration.ofSeconds(2))
                .build());
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<AgentHandle>> spawns = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        spawns.add(threads.submit(() -> closing.spawn(command("sleep", "1000"))));
      }
      // every spawn has registered its agent and created its Secret, and is creating its Pod
      assertThat(creatingPods.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(client.secrets().inNamespace(NS).list().getItems()).hasSize(n);

      Thread closer = Thread.ofPlatform().name("closer").start(closing::close);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  closer.getState() == Thread.State.WAITING
                      || closer.getState() == Thread.State.TIMED_WAITING);
      assertThat(closer.isAlive()).as("close returned while spawns could create objects").isTrue();
      release.countDown();
      assertThat(closer.join(WAIT)).as("close returned").isTrue();

      assertNoObjectsLeft();
      for (Future<AgentHandle> f : spawns) {
        assertSpawnEndedOrRefused(f);
      }
      assertNoObjectsLeft();
    } finally {
      release.countDown();
      gatedClient.close();
    }
  }

  /** A spawn racing with close returns a handle that has ended, or throws the closed error. */
  private static void assertSpawnEndedOrRefused(Future<AgentHandle> spawn) throws Exception {
    try {
      AgentHandle h = spawn.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(h.waitFor(WAIT)).as("the handle of a spawn racing with close ends").isPresent();
    } catch (ExecutionException e) {
      assertThat(e.getCause())
          .isInstanceOf(AgentException.Execution.class)
          .hasMessageContaining("this runner is closed");
    }
  }

  private void assertNoObjectsLeft() {
    assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
  }

  // ---- the test's kubelet ----

  /** Spawns {@code cfg} on a kubelet that runs its Pod with an empty log; returns once it runs. */
  private AgentHandle spawnRunning(AgentConfig cfg) throws Exception {
    CompletableFuture<Pod> created =
        kubelet(
            pod -> {
              expectLog(pod, "");
              return running(pod);
            });
    AgentHandle h = runner.spawn(cfg);
    created.get();
    return h;
  }

  private static AgentConfig command(String... argv) {
    return AgentConfig.builder().command(argv).build();
  }

  /**
   * Once the runner has created a Pod: sets the status {@code node} gives it; completes with the
   * Pod.
   */
  private CompletableFuture<Pod> kubelet(UnaryOperator<Pod> node) {
    return CompletableFuture.supplyAsync(
        () -> {
          Pod[] pod = new Pod[1];
          await()
              .atMost(WAIT)
              .until(
                  () -> {
                    List<Pod> pods = client.pods().inNamespace(NS).list().getItems();
                    pod[0] = pods.isEmpty() ? null : pods.getFirst();
                    return pod[0] != null;
                  });
          Pod next = node.apply(pod[0]);
          client.pods().inNamespace(NS).resource(next).update();
          return pod[0];
        });
  }

  private void setStatus(String name, UnaryOperator<Pod> change) {
    Pod p = client.pods().inNamespace(NS).withName(name).get();
    client.pods().inNamespace(NS).resource(change.apply(p)).update();
  }

  private void expectLog(Pod pod, String log) {
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + NS
                + "/pods/"
                + pod.getMetadata().getName()
                + "/log?pretty=false&container=agent&follow=true")
        .andReturn(200, log)
        .once();
  }

  /** {@code stop} ends a container that ignores its signal with SIGKILL: its Pod is deleted. */
  private void assertStopKillsItAndLeavesNoPod(AgentHandle h) {
    assertThat(h.stop(Duration.ofSeconds(1)).signal()).hasValue(9);
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
  }

  /** The container's {@code kill -<signal> 1} succeeds, however often it is run. */
  private void expectKill(Pod pod, String signal) {
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + NS
                + "/pods/"
                + pod.getMetadata().getName()
                + "/exec?command=kill&command=-"
                + signal
                + "&command=1&container=agent&stdout=true&stderr=true")
        .andUpgradeToWebSocket()
        .open(new StatusMessage(0))
        .done()
        .always();
  }

  private static java.util.Map<String, String> decode(Secret s) {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    s.getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }
}
