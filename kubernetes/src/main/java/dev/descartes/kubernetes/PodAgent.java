package dev.descartes.kubernetes;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentHealth;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentMetrics;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentOutcomes;
import dev.descartes.runner.AgentOutput;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.OutputDelivery;
import dev.descartes.runner.ProcessState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent running as a Pod. Its status follows the Pod as the runner's informer sees it (never
 * polled); its output is the container's log, followed from the start and parsed by the backend's
 * own event parser into the same events and outcome as a local agent's. The Pod's log merges stdout
 * and stderr, so every line arrives on {@link #stdout()}. Thread-safe: the status moves by
 * compare-and-set, and the terminal status is set once, before {@link #onExit()} completes.
 */
final class PodAgent implements AgentHandle {

  private static final Logger LOG = LoggerFactory.getLogger(PodAgent.class);
  private static final Duration DRAIN = Duration.ofSeconds(5);
  private static final Set<String> PULL_ERRORS =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "ErrImageNeverPull",
          "RegistryUnavailable");

  private final AgentId id;
  private final AgentConfig config;
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Executor background;
  private final Function<Duration, GracefulShutdown> stopSequence;
  private final AgentEventParser parser;
  private final AgentOutcomes outcomes;
  private final Consumer<PodAgent> onTerminal;
  private final List<Consumer<? super AgentEvent>> runnerListeners;

  private final AtomicReference<AgentStatus> status = new AtomicReference<>(AgentStatus.STARTING);
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final AtomicBoolean finishing = new AtomicBoolean();
  private final AtomicBoolean following = new AtomicBoolean();
  private final Set<Integer> sentSignals = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> logEnded = new CompletableFuture<>();
  private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
  private final CopyOnWriteArrayList<Consumer<? super AgentEvent>> listeners =
      new CopyOnWriteArrayList<>();
  private final Lines stdout = new Lines();
  private final Lines stderr = new Lines();
  private final List<AgentEvent> events = new ArrayList<>();
  private final Instant createdAt = Instant.now();

  private volatile Instant startedAt = createdAt;
  private volatile Instant endedAt;
  private volatile ExitStatus exitStatus;
  private volatile AgentOutcome outcome;
  private volatile ProcessState state = ProcessState.UNKNOWN;
  private volatile Instant lastSeen;
  private volatile LogWatch logWatch;

  PodAgent(
      AgentId id,
      AgentConfig config,
      KubernetesClient client,
      String namespace,
      Executor background,
      Function<Duration, GracefulShutdown> stopSequence,
      AgentEventParser parser,
      Consumer<PodAgent> onTerminal,
      List<Consumer<? super AgentEvent>> runnerListeners) {
    this.id = id;
    this.config = config;
    this.client = client;
    this.namespace = namespace;
    this.name = PodManifests.name(id);
    this.background = background;
    this.stopSequence = stopSequence;
    this.parser = parser;
    this.outcomes = new AgentOutcomes(parser.reportsResults());
    this.onTerminal = onTerminal;
    this.runnerListeners = runnerListeners;
  }

  String podName() {
    return name;
  }

  /** Waits until the container runs (or already ended). */
  void awaitStart(Duration timeout) throws InterruptedException {
    try {
      started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw (AgentException) e.getCause();
    } catch (TimeoutException e) {
      throw new AgentException.SpawnFailed(
          config.name(),
          "the Pod "
              + namespace
              + "/"
              + name
              + " did not start "
              + "within "
              + timeout
              + "; see 'kubectl -n "
              + namespace
              + " describe pod "
              + name
              + "', or raise "
              + "KubernetesRunnerConfig.startTimeout");
    }
  }

  // ---- what the informer sees ----

  /** A new state of the Pod, from the runner's informer; never blocks. */
  void onPod(Pod pod) {
    lastSeen = Instant.now();
    if (status.get().isTerminal()) {
      return;
    }
    ContainerStatus cs =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? null
            : pod.getStatus().getContainerStatuses().stream()
                .filter(s -> PodManifests.CONTAINER.equals(s.getName()))
                .findFirst()
                .orElse(null);
    if (cs != null && cs.getState() != null) {
      if (cs.getState().getRunning() != null) {
        state = ProcessState.RUNNING;
        markStarted();
        return;
      }
      if (cs.getState().getTerminated() != null) {
        markStarted();
        ExitStatus st = exitOf(cs.getState().getTerminated());
        background.execute(() -> finish(st, null));
        return;
      }
      if (cs.getState().getWaiting() != null
          && PULL_ERRORS.contains(cs.getState().getWaiting().getReason())) {
        failStart(
            "its image "
                + cs.getImage()
                + " cannot be pulled ("
                + cs.getState().getWaiting().getReason()
                + ": "
                + Optional.ofNullable(cs.getState().getWaiting().getMessage()).orElse("no message")
                + "); check the image name and that the cluster can reach its registry (imagePullSecrets)");
        return;
      }
    }
    if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType())
            && "False".equals(c.getStatus())
            && "Unschedulable".equals(c.getReason())) {
          failStart(
              "it cannot be scheduled ("
                  + Optional.ofNullable(c.getMessage()).orElse("Unschedulable")
                  + "); free or add nodes that fit its requests, or lower its limits");
          return;
        }
      }
    }
    if (pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase())) {
      markStarted();
      String reason = Optional.ofNullable(pod.getStatus().getReason()).orElse("Failed");
      LOG.info("agent {} ({}): Pod failed ({})", id, config.name(), reason);
      background.execute(() -> finish(ExitStatus.signalled(9), null));
    }
  }

  /** The Pod is gone: deleted by the runner, or by someone else (then the agent failed). */
  void onDeleted() {
    if (status.get().isTerminal()) {
      return;
    }
    if (!started.isDone()) {
      failStart("its Pod was deleted before its container started");
      return;
    }
    if (!stopRequested.get()) {
      LOG.warn(
          "agent {} ({}): its Pod {}/{} was deleted by someone else",
          id,
          config.name(),
          namespace,
          name);
    }
    background.execute(
        () ->
            finish(
                ExitStatus.signalled(9),
                "the Pod was deleted" + (stopRequested.get() ? "" : " outside the runner")));
  }

  private void markStarted() {
    if (started.isDone()) {
      return;
    }
    startedAt = Instant.now();
    status.compareAndSet(AgentStatus.STARTING, AgentStatus.RUNNING);
    emit(new AgentEvent.Started(id, startedAt, -1));
    started.complete(null);
    followLog();
  }

  /** Ends {@link #awaitStart} with a spawn failure, unless the container already started. */
  void failStart(String why) {
    started.completeExceptionally(
        new AgentException.SpawnFailed(
            config.name(),
            "the Pod "
                + namespace
                + "/"
                + name
                + " of agent '"
                + config.name()
                + "' did not start: "
                + why));
  }

  private ExitStatus exitOf(ContainerStateTerminated t) {
    if (t.getSignal() != null && t.getSignal() > 0) {
      return ExitStatus.signalled(t.getSignal());
    }
    return ExitStatus.fromCode(t.getExitCode() == null ? -1 : t.getExitCode(), sentSignals);
  }

  // ---- output ----

  private void followLog() {
    if (!following.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual()
        .name("descartes-k8s-log-" + name)
        .start(
            () -> {
              try (LogWatch w =
                  client
                      .pods()
                      .inNamespace(namespace)
                      .withName(name)
                      .inContainer(PodManifests.CONTAINER)
                      .watchLog()) {
                logWatch = w;
                readLines(w.getOutput());
              } catch (RuntimeException | IOException e) {
                LOG.debug("agent {}: log stream ended: {}", id, e.toString());
              } finally {
                stdout.end();
                stderr.end();
                logEnded.complete(null);
              }
            });
  }

  private void readLines(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      for (int i = 0; i < n; i++) {
        line.write(buf[i]);
        if (buf[i] == '\n') {
          dispatch(line.toByteArray());
          line.reset();
        }
      }
    }
    if (line.size() > 0) {
      dispatch(line.toByteArray());
    }
  }

  private void dispatch(byte[] bytes) {
    stdout.add(bytes);
    for (AgentEvent e : outcomes.acceptLine(id, Instant.now(), bytes, parser)) {
      emit(e);
    }
  }

  private void emit(AgentEvent event) {
    synchronized (events) {
      events.add(event);
      events.notifyAll();
    }
    for (Consumer<? super AgentEvent> l : runnerListeners) {
      deliver(l, event);
    }
    for (Consumer<? super AgentEvent> l : listeners) {
      deliver(l, event);
    }
  }

  private void deliver(Consumer<? super AgentEvent> l, AgentEvent event) {
    try {
      l.accept(event);
    } catch (Throwable e) {
      LOG.warn("agent {}: event listener threw {}; delivery goes on", id, e.toString());
    }
  }

  // ---- exit ----

  /** Ends the agent once: output drained, objects deleted, status final, Exited delivered. */
  void finish(ExitStatus st, String why) {
    if (!finishing.compareAndSet(false, true)) {
      return;
    }
    try {
      if (following.get()) {
        logEnded.get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException | ExecutionException e) {
      LogWatch w = logWatch;
      if (w != null) {
        w.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stdout.end();
      stderr.end();
      if (why != null) {
        LOG.info("agent {} ({}): {}", id, config.name(), why);
      }
      exitStatus = st;
      endedAt = Instant.now();
      state = ProcessState.EXITED;
      AgentStatus terminal = AgentStatus.afterExit(st, stopRequested.get());
      outcome = outcomes.finish(st, stopRequested.get());
      status.set(terminal);
      onTerminal.accept(this);
      emit(new AgentEvent.Exited(id, endedAt, st, terminal));
      exit.complete(st);
    }
  }

  // ---- control ----

  @Override
  public void requestStop() {
    stopRequested.set(true);
    status.updateAndGet(s -> s.isTerminal() ? s : AgentStatus.STOPPING);
  }

  @Override
  public void signal(AgentSignal signal) {
    if (signal == AgentSignal.KILL) {
      kill();
      return;
    }
    if (status.get().isTerminal()) {
      return;
    }
    if (signal.requestsStop()) {
      requestStop();
    }
    sentSignals.add(signal.number());
    String sig =
        switch (signal) {
          case INTERRUPT -> "INT";
          case TERMINATE -> "TERM";
          case PAUSE -> "STOP";
          case RESUME -> "CONT";
          case KILL -> throw new AssertionError();
        };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ExecWatch w =
        client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .inContainer(PodManifests.CONTAINER)
            .writingOutput(java.io.OutputStream.nullOutputStream())
            .writingError(err)
            .exec("kill", "-" + sig, "1")) {
      Integer code = w.exitCode().get(30, TimeUnit.SECONDS);
      if (code != null && code != 0) {
        throw new AgentException.Execution(
            "'kill -"
                + sig
                + " 1' in the Pod "
                + namespace
                + "/"
                + name
                + " exited "
                + code
                + " ("
                + err.toString(java.nio.charset.StandardCharsets.UTF_8).strip()
                + "); the image needs a kill command (busybox or procps)");
      }
      switch (signal) {
        case PAUSE -> status.compareAndSet(AgentStatus.RUNNING, AgentStatus.PAUSED);
        case RESUME -> status.compareAndSet(AgentStatus.PAUSED, AgentStatus.RUNNING);
        default -> {}
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      if (e instanceof AgentException ae) {
        throw ae;
      }
      if (!status.get().isTerminal()) {
        throw new AgentException.Execution(
            "could not signal the agent in Pod "
                + namespace
                + "/"
                + name
                + " ("
                + e
                + "); the runner needs the pods/exec permission (see docs/kubernetes.md)",
            e);
      }
    }
  }

  /** Deletes the Pod at once (grace period 0): the kubelet kills its containers. */
  @Override
  public void kill() {
    requestStop();
    sentSignals.add(AgentSignal.KILL.number());
    delete(0);
  }

  /** Deletes the Pod with a grace period: SIGTERM to the container, then SIGKILL after it. */
  void delete(long graceSeconds) {
    try {
      client.pods().inNamespace(namespace).withName(name).withGracePeriod(graceSeconds).delete();
    } catch (RuntimeException e) {
      LOG.warn("agent {}: deleting Pod {}/{} failed: {}", id, namespace, name, e.toString());
    }
  }

  @Override
  public ExitStatus stop(Duration timeout) {
    return stopSequence.apply(timeout).shutdown(this);
  }

  @Override
  public void writeStdin(byte[] data) {
    throw new AgentException.Communication(
        "agent "
            + id
            + " ("
            + config.name()
            + ") runs as a Kubernetes Pod, "
            + "whose input comes from a ConfigMap at start; its stdin cannot be written");
  }

  @Override
  public void closeStdin() {
    // the input was delivered whole at start
  }

  @Override
  public boolean isStdinOpen() {
    return false;
  }

  // ---- queries ----

  @Override
  public AgentId id() {
    return id;
  }

  @Override
  public AgentConfig config() {
    return config;
  }

  @Override
  public AgentStatus status() {
    return status.get();
  }

  /** Always -1: the agent's process lives on a node, not on this machine. */
  @Override
  public long pid() {
    return -1;
  }

  @Override
  public ExitStatus waitFor() throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(exit.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CompletableFuture<ExitStatus> onExit() {
    return exit.copy();
  }

  @Override
  public AgentOutput stdout() {
    return stdout.reader();
  }

  @Override
  public AgentOutput stderr() {
    return stderr.reader();
  }

  /** Every line is kept for the agent's life, so each delivery reads every line from the first. */
  @Override
  public AgentOutput stdout(OutputDelivery delivery) {
    return stdout.reader();
  }

  /** Every line is kept for the agent's life, so each delivery reads every line from the first. */
  @Override
  public AgentOutput stderr(OutputDelivery delivery) {
    return stderr.reader();
  }

  /** Every event is kept for the agent's life, so each delivery iterates from the first. */
  @Override
  public Iterable<AgentEvent> events(OutputDelivery delivery) {
    return events();
  }

  /** Every listener is called for every event, on the thread that reads the Pod's log. */
  @Override
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener, OutputDelivery delivery) {
    return onEvent(listener);
  }

  @Override
  public Optional<AgentOutcome> outcome() {
    return Optional.ofNullable(outcome);
  }

  @Override
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public Iterable<AgentEvent> events() {
    return () ->
        new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            synchronized (events) {
              while (next >= events.size()) {
                if (next > 0 && events.get(next - 1) instanceof AgentEvent.Exited) {
                  return false;
                }
                try {
                  events.wait();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              }
              return true;
            }
          }

          @Override
          public AgentEvent next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            synchronized (events) {
              return events.get(next++);
            }
          }
        };
  }

  @Override
  public AgentInfo info() {
    AgentStatus s = status.get();
    Instant end = endedAt;
    Duration uptime = Duration.between(startedAt, end != null ? end : Instant.now());
    AgentHealth health =
        new AgentHealth(
            s.isTerminal() ? ProcessState.EXITED : state,
            stdout.lastAt(),
            Optional.ofNullable(lastSeen));
    AgentMetrics metrics =
        new AgentMetrics(
            uptime.isNegative() ? Duration.ZERO : uptime,
            0,
            stdout.count(),
            stderr.count(),
            stdout.bytes(),
            stderr.bytes(),
            Optional.empty());
    return new AgentInfo(
        id,
        config.name(),
        config.modelBackend(),
        config.task(),
        s,
        -1,
        startedAt,
        Optional.ofNullable(exitStatus),
        Optional.ofNullable(end),
        health,
        metrics,
        null,
        config.limits());
  }

  @Override
  public String toString() {
    return "PodAgent["
        + id
        + ", "
        + config.name()
        + ", "
        + namespace
        + "/"
        + name
        + ", "
        + status.get()
        + "]";
  }
}
