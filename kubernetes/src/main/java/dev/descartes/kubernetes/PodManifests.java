package dev.descartes.kubernetes;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.LaunchSpec;
import dev.descartes.runner.ResourceLimits;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes objects of one agent: its Pod, the Secret that holds its environment (values never
 * go in the Pod spec), the ConfigMap that holds what the CLI reads on stdin, and for a sandboxed
 * agent the NetworkPolicy of its network rule. All carry the same name ({@code descartes-<id>}) and
 * labels. Stateless; thread-safe.
 */
final class PodManifests {

  static final String CONTAINER = "agent";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String MANAGER = "descartes";
  static final String LABEL_ID = "descartes.dev/agent-id";
  static final String LABEL_NAME = "descartes.dev/agent-name";
  static final String INPUT_DIR = "/descartes/input";

  private PodManifests() {}

  static String name(AgentId id) {
    return "descartes-" + id;
  }

  static Map<String, String> labels(AgentId id, String agentName) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put(MANAGED_BY, MANAGER);
    l.put(LABEL_ID, id.toString());
    l.put(LABEL_NAME, labelValue(agentName));
    return l;
  }

  /** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
  static String labelValue(String s) {
    String v = s.replaceAll("[^A-Za-z0-9._-]", "_");
    v = v.length() > 63 ? v.substring(0, 63) : v;
    v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    return v;
  }

  static Secret secret(AgentId id, String agentName, String namespace, Map<String, String> env) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name(id))
        .withNamespace(namespace)
        .withLabels(labels(id, agentName))
        .endMetadata()
        .withType("Opaque")
        .withStringData(env)
        .build();
  }

  static ConfigMap input(AgentId id, String agentName, String namespace, byte[] stdin) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name(id))
        .withNamespace(namespace)
        .withLabels(labels(id, agentName))
        .endMetadata()
        .withBinaryData(Map.of("stdin", Base64.getEncoder().encodeToString(stdin)))
        .build();
  }

  /**
   * The Pod. With input, the CLI reads it on stdin from the mounted ConfigMap ({@code sh} redirects
   * it, then execs the CLI, so the CLI is the container's main process).
   */
  static Pod pod(
      AgentId id,
      AgentConfig config,
      KubernetesRunnerConfig rc,
      LaunchSpec spec,
      boolean withInput,
      ResourceLimits limits,
      boolean sandboxed) {
    List<String> command = new ArrayList<>();
    if (withInput) {
      command.addAll(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" < " + INPUT_DIR + "/stdin"));
    }
    command.addAll(spec.command());
    ContainerBuilder c =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(rc.image())
            .withCommand(command)
            .withImagePullPolicy("IfNotPresent")
            .addNewEnvFrom()
            .withNewSecretRef()
            .withName(name(id))
            .endSecretRef()
            .endEnvFrom();
    Map<String, Quantity> resources = new LinkedHashMap<>();
    limits.memoryBytes().ifPresent(b -> resources.put("memory", new Quantity(Long.toString(b))));
    limits
        .cpus()
        .ifPresent(cpu -> resources.put("cpu", new Quantity(Math.round(cpu * 1000) + "m")));
    if (!resources.isEmpty()) {
      c.withNewResources().withLimits(resources).withRequests(resources).endResources();
    }
    if (withInput) {
      c.addNewVolumeMount()
          .withName("input")
          .withMountPath(INPUT_DIR)
          .withReadOnly(true)
          .endVolumeMount();
    }
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name(id))
            .withNamespace(rc.namespace())
            .withLabels(labels(id, config.name()))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withContainers(c.build())
            .withAutomountServiceAccountToken(false)
            .endSpec();
    if (withInput) {
      pod.editSpec()
          .addNewVolume()
          .withName("input")
          .withNewConfigMap()
          .withName(name(id))
          .endConfigMap()
          .endVolume()
          .endSpec();
    }
    rc.serviceAccount().ifPresent(sa -> pod.editSpec().withServiceAccountName(sa).endSpec());
    limits
        .runtime()
        .ifPresent(
            r -> pod.editSpec().withActiveDeadlineSeconds(Math.max(1, r.toSeconds())).endSpec());
    if (sandboxed) {
      pod.editSpec().withRuntimeClassName(rc.runtimeClassName().orElseThrow()).endSpec();
    }
    return pod.build();
  }

  /**
   * The NetworkPolicy of a sandbox's network rule, or empty when it allows everything. Egress only:
   * none and loopback deny all egress, an allow-list admits each IP address and port (a
   * NetworkPolicy cannot name hosts, so a host name is refused).
   */
  static Optional<NetworkPolicy> networkPolicy(
      AgentId id, String agentName, String namespace, AgentSandbox sandbox) {
    List<NetworkPolicyEgressRule> egress = new ArrayList<>();
    switch (sandbox.network()) {
      case AgentSandbox.Network.Host h -> {
        return Optional.empty();
      }
      case AgentSandbox.Network.None n -> {}
      case AgentSandbox.Network.Loopback l -> {}
      case AgentSandbox.Network.AllowList a -> {
        for (AgentSandbox.Endpoint e : a.endpoints()) {
          String host = e.host().replace("[", "").replace("]", "");
          if (!host.matches("[0-9.]+") && !host.contains(":")) {
            throw new AgentException.InvalidConfig(
                "sandbox.network",
                "endpoint "
                    + e
                    + " names a host, "
                    + "and a Kubernetes NetworkPolicy admits IP addresses only; give its IP address");
          }
          String cidr = host + (host.contains(":") ? "/128" : "/32");
          egress.add(
              new NetworkPolicyEgressRuleBuilder()
                  .addNewTo()
                  .withNewIpBlock()
                  .withCidr(cidr)
                  .endIpBlock()
                  .endTo()
                  .addNewPort()
                  .withProtocol("TCP")
                  .withNewPort(e.port())
                  .endPort()
                  .build());
        }
      }
    }
    return Optional.of(
        new NetworkPolicyBuilder()
            .withNewMetadata()
            .withName(name(id))
            .withNamespace(namespace)
            .withLabels(labels(id, agentName))
            .endMetadata()
            .withNewSpec()
            .withNewPodSelector()
            .withMatchLabels(Map.of(LABEL_ID, id.toString()))
            .endPodSelector()
            .withPolicyTypes("Egress")
            .withEgress(egress)
            .endSpec()
            .build());
  }
}
