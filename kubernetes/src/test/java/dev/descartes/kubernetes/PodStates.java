package dev.descartes.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** The Pod statuses a kubelet would report, for tests that play the kubelet against the mock. */
final class PodStates {

  private PodStates() {}

  /** {@code pod} with its agent container running. */
  static Pod running(Pod pod) {
    return withState(pod, "Running", new ContainerStateBuilder().withNewRunning().endRunning());
  }

  /** {@code pod} with its agent container ended with {@code code}. */
  static Pod terminated(Pod pod, int code) {
    return withState(
        pod,
        code == 0 ? "Succeeded" : "Failed",
        new ContainerStateBuilder().withNewTerminated().withExitCode(code).endTerminated());
  }

  /** {@code pod} pending, its agent container waiting for {@code reason}. */
  static Pod waiting(Pod pod, String reason, String message) {
    return withState(
        pod,
        "Pending",
        new ContainerStateBuilder()
            .withNewWaiting()
            .withReason(reason)
            .withMessage(message)
            .endWaiting());
  }

  private static Pod withState(Pod pod, String phase, ContainerStateBuilder state) {
    ContainerState built = state.build();
    return new PodBuilder(pod)
        .withNewStatus()
        .withPhase(phase)
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("agent")
                .withImage("agents:1")
                .withState(built)
                .build())
        .endStatus()
        .build();
  }
}
