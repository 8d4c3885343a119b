package dev.descartes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descartes run -f fleet.yaml --runner kubernetes} as a process, with a kubeconfig that
 * points at the fabric8 mock API server in this JVM. The test plays the kubelet: it sets each Pod's
 * status and serves its log. The command must show the agents' events and the summary, exit with
 * the fleet's code, and end by itself (no thread of the Kubernetes client keeps its JVM).
 */
@ExtendWith(CliLeakCheck.class)
@EnableKubernetesMockClient(crud = true)
class KubernetesFleetRunTest {

  private static final String NS = "agents";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String CLAUDE_LOG =
      """
      {"type":"system","subtype":"init","session_id":"s-1","model":"fake-model"}
      {"type":"assistant","message":{"content":[{"type":"text","text":"Reviewing the last commit"}]},"session_id":"s-1"}
      {"type":"result","subtype":"success","is_error":false,"result":"Looks good","num_turns":1,"total_cost_usd":0.0123,"usage":{"input_tokens":3,"output_tokens":4},"session_id":"s-1"}
      """;

  /** Where descartes.jar finds the Kubernetes runner in a checkout. */
  private static final Path PLUGIN =
      Cli.jar().resolveSibling("../../kubernetes/target/descartes-kubernetes.jar").normalize();

  KubernetesMockServer server;
  KubernetesClient client;
  @TempDir Path dir;

  @Test
  void aFleetRunsAsPodsAndTheCommandReportsItsAgentsAndExits() throws Exception {
    assertThat(PLUGIN)
        .as("the Kubernetes runner's jar, built by the kubernetes module before the cli's tests")
        .isRegularFile();
    Path kubeconfig =
        Files.writeString(
            dir.resolve("kubeconfig"),
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: mock
              cluster: {server: "%s", insecure-skip-tls-verify: true}
            users:
            - name: tester
              user: {token: not-a-secret}
            contexts:
            - name: mock
              context: {cluster: mock, user: tester, namespace: agents}
            current-context: mock
            """
                .formatted(client.getMasterUrl().toString()));
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        agents:
          reviewer: {backend: claude, task: Review the last commit}
          tester: {command: [sh, -c, "echo 2 tests failed; exit 3"]}
        kubernetes:
          namespace: agents
          image: agents:1
        """);
    Thread node = Thread.ofVirtual().start(this::playTheKubelet);

    Cli.Running r =
        Cli.run(
            dir,
            Map.of("KUBECONFIG", kubeconfig.toString()),
            "run",
            "-f",
            "fleet.yaml",
            "--runner",
            "kubernetes");
    node.join(WAIT.toMillis());

    assertThat(r.exitCode()).as("one agent failed\n" + r).isEqualTo(1);
    List<String> out = r.stdoutLines();
    assertThat(out)
        .as(r.toString())
        .anyMatch(l -> l.matches("reviewer +\\| .*Reviewing the last commit.*"))
        .anyMatch(l -> l.matches("tester +\\| 2 tests failed"))
        .anyMatch(l -> l.matches("AGENT +STATE +EXIT +TIME +COST +RESULT"))
        .anyMatch(l -> l.matches("reviewer +completed +0 +\\S+ +\\$0\\.0123 +Looks good.*"))
        .anyMatch(l -> l.matches("tester +failed +3 .*"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.pods().inNamespace(NS).list().getItems().isEmpty()
                    && client.secrets().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void withoutTheKubernetesRunnersJarTheCommandSaysHowToGetIt() throws Exception {
    Path alone = Files.copy(Cli.jar(), dir.resolve("descartes.jar"));
    Files.writeString(
        dir.resolve("fleet.yaml"),
        """
        agents:
          reviewer: {backend: claude, task: Review the last commit}
        kubernetes: {namespace: agents, image: "agents:1"}
        """);

    Cli.Running r =
        Cli.launch(
            dir,
            List.of(
                Cli.java(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                alone.toString(),
                "run",
                "-f",
                "fleet.yaml",
                "--runner",
                "kubernetes"),
            Cli.env(Map.of()));

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(69);
    assertThat(r.stderr())
        .contains("the Kubernetes runner is not installed")
        .contains("./mvnw -B -q -pl kubernetes -am package");
    assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
  }

  /** Runs each Pod the command creates: its log, Running, then Terminated with the agent's code. */
  private void playTheKubelet() {
    Set<String> seen = new HashSet<>();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              for (Pod p : client.pods().inNamespace(NS).list().getItems()) {
                String name = p.getMetadata().getName();
                if (seen.add(name)) {
                  boolean claude =
                      "reviewer"
                          .equals(p.getMetadata().getLabels().get("descartes.dev/agent-name"));
                  String log = claude ? CLAUDE_LOG : "2 tests failed\n";
                  server
                      .expect()
                      .get()
                      .withPath(
                          "/api/v1/namespaces/"
                              + NS
                              + "/pods/"
                              + name
                              + "/log?pretty=false&container=agent&follow=true")
                      .andReturn(200, log)
                      .once();
                  client.pods().inNamespace(NS).resource(state(p, null)).update();
                  Pod now = client.pods().inNamespace(NS).withName(name).get();
                  client.pods().inNamespace(NS).resource(state(now, claude ? 0 : 3)).update();
                }
              }
              return seen.size() == 2;
            });
  }

  /** The Pod running (code null) or ended with {@code code}. */
  private static Pod state(Pod pod, Integer code) {
    ContainerStatusBuilder s = new ContainerStatusBuilder().withName("agent").withImage("agents:1");
    if (code == null) {
      s.withNewState().withNewRunning().endRunning().endState();
    } else {
      s.withNewState().withNewTerminated().withExitCode(code).endTerminated().endState();
    }
    return new PodBuilder(pod)
        .withNewStatus()
        .withPhase(code == null ? "Running" : code == 0 ? "Succeeded" : "Failed")
        .withContainerStatuses(s.build())
        .endStatus()
        .build();
  }
}
