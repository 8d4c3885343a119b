package dev.descartes.kubernetes;

import dev.descartes.runner.AgentBackend;
import dev.descartes.runner.AgentBackends;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentInfo;
import dev.descartes.runner.AgentRunner;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.AgentSignal;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.GracefulShutdown;
import dev.descartes.runner.LaunchSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each agent as a Kubernetes Pod (restart policy Never) behind the same {@link AgentRunner}
 * API as the local runner.
 *
 * <ul>
 *   <li>Each agent gets a Pod, a Secret with its environment (the Pod takes it through {@code
 *       envFrom}: no value is in the Pod spec), a ConfigMap with what its CLI reads on stdin (the
 *       task, context and system prompt as each backend sends them), and for a sandboxed agent a
 *       NetworkPolicy and the configured {@code runtimeClassName}. All are named {@code
 *       descartes-<id>} and labelled with the agent's id and name; all are deleted once it ends.
 *   <li>Status comes from one informer (a watch that reconnects and relists by itself) on the
 *       runner's Pods, never from polling. {@code spawn} returns once the container runs, and
 *       throws {@link AgentException.SpawnFailed} for an image that cannot be pulled, a Pod that
 *       cannot be scheduled, or one that did not start in time.
 *   <li>Output is the container's log, followed from the start, parsed by the backend's own event
 *       parser: the normalized events and {@link dev.descartes.runner.AgentOutcome} are the local
 *       runner's.
 *   <li>Signals run {@code kill -SIG 1} in the container (exec); {@link #kill} deletes the Pod at
 *       once; {@link #shutdown} deletes every Pod with the timeout as grace period (SIGTERM, then
 *       SIGKILL from the kubelet), then forcibly.
 * </ul>
 *
 * <p>Thread-safe. Closing it stops every agent, and closes the client if {@link #connect} made it.
 */
public final class KubernetesRunner implements AgentRunner {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesRunner.class);

  /** A ConfigMap holds at most 1 MiB, names and metadata included. */
  private static final int MAX_INPUT_BYTES = 1000 * 1024;

  /** How the error of a spawn on a closed runner begins, as the local runner's does. */
  private static final String CLOSED = "this runner is closed";

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final KubernetesRunnerConfig config;
  private final AgentBackends backends;
  private final ConcurrentHashMap<AgentId, PodAgent> agents = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<AgentId, Long> order = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private final List<Consumer<? super AgentEvent>> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService background =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("descartes-k8s-", 0).factory());
  private final SharedIndexInformer<Pod> informer;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A spawn holds the read side from the moment it registers its agent until it returns or has
   * deleted what it created; {@link #close()} takes the write side after setting {@link #closed},
   * so it returns only once no spawn can create anything more, and every agent that got past it is
   * registered for the shutdown that follows.
   */
  private final ReentrantReadWriteLock spawns = new ReentrantReadWriteLock();

  /** A runner on {@code client} (which stays the caller's to close). */
  public KubernetesRunner(KubernetesClient client, KubernetesRunnerConfig config) {
    this(client, false, config);
  }

  private KubernetesRunner(
      KubernetesClient client, boolean ownsClient, KubernetesRunnerConfig config) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.config = config;
    this.backends = AgentBackends.of(config.backends());
    this.informer =
        client
            .pods()
            .inNamespace(config.namespace())
            .withLabel(PodManifests.MANAGED_BY, PodManifests.MANAGER)
            .runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            route(pod).ifPresent(a -> a.onPod(pod));
          }

          @Override
          public void onUpdate(Pod old, Pod pod) {
            route(pod).ifPresent(a -> a.onPod(pod));
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {
            route(pod).ifPresent(PodAgent::onDeleted);
          }
        });
    awaitFirstList();
  }

  /**
   * Starts the informer and waits for its first list, so that an unreachable cluster is an error,
   * not a hang.
   */
  private void awaitFirstList() {
    Duration limit = Duration.ofSeconds(30);
    try {
      informer
          .start()
          .toCompletableFuture()
          .get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      informer.stop();
      background.close();
      if (ownsClient) {
        client.close();
      }
      throw new AgentException.Execution(
          "cannot list Pods in namespace "
              + config.namespace()
              + " at "
              + client.getMasterUrl()
              + " within "
              + limit.toSeconds()
              + " s ("
              + (e.getCause() != null ? e.getCause() : e)
              + "); check the kubeconfig context, that the cluster is up, and the runner's permissions "
              + "(kubernetes/deploy/rbac.yaml)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      informer.stop();
      throw new AgentException.Execution("interrupted while listing the runner's Pods", e);
    }
  }

  /**
   * A runner with a client from the kubeconfig ({@code ~/.kube/config}, {@code KUBECONFIG}, or the
   * in-cluster service account) and {@link KubernetesRunnerConfig#context()}.
   */
  public static KubernetesRunner connect(KubernetesRunnerConfig config) {
    Config kube = Config.autoConfigure(config.context().orElse(null));
    return new KubernetesRunner(
        new KubernetesClientBuilder().withConfig(kube).build(), true, config);
  }

  private Optional<PodAgent> route(Pod pod) {
    String id =
        pod.getMetadata().getLabels() == null
            ? null
            : pod.getMetadata().getLabels().get(PodManifests.LABEL_ID);
    if (id == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(agents.get(AgentId.parse(id)));
    } catch (IllegalArgumentException notOurs) {
      return Optional.empty();
    }
  }

  @Override
  public AgentHandle spawn(AgentConfig agent) {
    ensureOpen();
    AgentId id = AgentId.random();
    if (agent.multiTurn()) {
      throw new AgentException.InvalidConfig(
          "multiTurn",
          "an agent on Kubernetes takes its input from a "
              + "ConfigMap at start and has no open stdin; run one agent per turn with resumeSession(id)");
    }
    if (agent.container().isPresent()) {
      throw new AgentException.InvalidConfig(
          "container",
          "an agent on Kubernetes already runs in a container "
              + "of KubernetesRunnerConfig.image; remove the container option");
    }
    Optional<AgentSandbox> sandbox = agent.sandbox();
    if (sandbox.isPresent() && config.runtimeClassName().isEmpty()) {
      throw new AgentException.InvalidConfig(
          "sandbox",
          "a sandboxed agent on Kubernetes runs under a "
              + "RuntimeClass (such as gvisor); set KubernetesRunnerConfig.runtimeClassName");
    }
    LaunchSpec spec;
    Function<Duration, GracefulShutdown> stop;
    AgentEventParser parser;
    AgentConfig cfg = agent;
    if (cfg.hasCommand()) {
      spec = LaunchSpec.of(cfg.command());
      stop = GracefulShutdown::new;
      parser = AgentEventParser.none();
      if (cfg.name().isBlank()) {
        cfg = cfg.toBuilder().name(cfg.command().getFirst()).build();
      }
    } else {
      AgentBackend backend = backends.resolve(cfg.modelBackend());
      spec = backend.launch(cfg);
      stop = timeout -> GracefulShutdown.of(backend, timeout);
      parser = backend.newEventParser();
    }
    byte[] input = spec.initialInput();
    if (input.length > MAX_INPUT_BYTES) {
      throw new AgentException.InvalidConfig(
          "context",
          "the agent's input is "
              + input.length / 1024
              + " KiB, and a ConfigMap holds at most 1 MiB; shorten the task and context, or mount the "
              + "material in the image");
    }
    boolean withInput = input.length > 0 || spec.stdin() == LaunchSpec.Stdin.CLOSE_AFTER_INPUT;
    Map<String, String> env = new HashMap<>(spec.environment());
    env.putAll(cfg.environment());
    env.put("DESCARTES_AGENT_ID", id.toString());

    PodAgent a =
        new PodAgent(
            id, cfg, client, config.namespace(), background, stop, parser, this::ended, listeners);
    spawns.readLock().lock();
    try {
      ensureOpen();
      order.put(id, seq.incrementAndGet());
      agents.put(id, a);
      return create(a, cfg, spec, env, input, withInput, sandbox);
    } finally {
      spawns.readLock().unlock();
    }
  }

  /**
   * Creates the objects of the registered agent {@code a} and waits for its container to start; on
   * failure, or when the runner is closed meanwhile, deletes them all and forgets {@code a}.
   */
  private PodAgent create(
      PodAgent a,
      AgentConfig cfg,
      LaunchSpec spec,
      Map<String, String> env,
      byte[] input,
      boolean withInput,
      Optional<AgentSandbox> sandbox) {
    AgentId id = a.id();
    String ns = config.namespace();
    try {
      client
          .secrets()
          .inNamespace(ns)
          .resource(PodManifests.secret(id, cfg.name(), ns, env))
          .create();
      if (withInput) {
        client
            .configMaps()
            .inNamespace(ns)
            .resource(PodManifests.input(id, cfg.name(), ns, input))
            .create();
      }
      if (sandbox.isPresent()) {
        PodManifests.networkPolicy(id, cfg.name(), ns, sandbox.get())
            .ifPresent(
                np ->
                    client.network().v1().networkPolicies().inNamespace(ns).resource(np).create());
      }
      client
          .pods()
          .inNamespace(ns)
          .resource(
              PodManifests.pod(id, cfg, config, spec, withInput, cfg.limits(), sandbox.isPresent()))
          .create();
      if (closed.get()) {
        throw closedWhileStarting(cfg.name(), null);
      }
      a.awaitStart(config.startTimeout());
      return a;
    } catch (AgentException e) {
      forget(a);
      throw closed.get() ? closedWhileStarting(cfg.name(), e) : e;
    } catch (KubernetesClientException e) {
      forget(a);
      if (closed.get()) {
        throw closedWhileStarting(cfg.name(), e);
      }
      throw new AgentException.SpawnFailed(
          cfg.name(),
          "could not create the objects of agent '"
              + cfg.name()
              + "' in namespace "
              + ns
              + ": "
              + e.getMessage()
              + "; check the namespace and the runner's "
              + "permissions (docs/kubernetes.md lists them)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      forget(a);
      throw new AgentException.SpawnFailed(
          cfg.name(),
          "interrupted while the Pod of agent '" + cfg.name() + "' started; nothing is left of it",
          e);
    }
  }

  /** The error of a spawn cut short by {@link #close()}; its objects are deleted. */
  private static AgentException closedWhileStarting(String name, RuntimeException cause) {
    if (cause instanceof AgentException.Execution e && e.getMessage().startsWith(CLOSED)) {
      return e;
    }
    return new AgentException.Execution(
        CLOSED
            + "; it was closed while agent '"
            + name
            + "' started, and the objects created for it are deleted",
        cause);
  }

  /** A spawn that failed: nothing of the agent stays. */
  private void forget(PodAgent a) {
    agents.remove(a.id());
    order.remove(a.id());
    deleteObjects(a, true);
  }

  /** Called once per agent, as its status becomes final: its objects go. */
  private void ended(PodAgent a) {
    deleteObjects(a, false);
  }

  private void deleteObjects(PodAgent a, boolean pod) {
    String ns = config.namespace();
    String name = a.podName();
    try {
      if (pod) {
        client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
      } else {
        client.pods().inNamespace(ns).withName(name).delete();
      }
      client.secrets().inNamespace(ns).withName(name).delete();
      client.configMaps().inNamespace(ns).withName(name).delete();
      client.network().v1().networkPolicies().inNamespace(ns).withName(name).delete();
    } catch (RuntimeException e) {
      LOG.warn(
          "agent {}: deleting its objects in {} failed: {}; delete them with 'kubectl -n {} delete "
              + "pod,secret,configmap,networkpolicy -l {}={}'",
          a.id(),
          ns,
          e.toString(),
          ns,
          PodManifests.LABEL_ID,
          a.id());
    }
  }

  @Override
  public AgentHandle spawn(AgentConfig config, Duration waitForSlot) {
    return spawn(config);
  }

  @Override
  public List<AgentInfo> listAgents() {
    List<PodAgent> list = new ArrayList<>(agents.values());
    list.sort(Comparator.comparingLong(a -> order.getOrDefault(a.id(), Long.MAX_VALUE)));
    return list.stream().map(PodAgent::info).toList();
  }

  @Override
  public Optional<AgentInfo> getAgent(AgentId id) {
    return Optional.ofNullable(agents.get(id)).map(PodAgent::info);
  }

  @Override
  public Optional<AgentHandle> getHandle(AgentId id) {
    return Optional.ofNullable(agents.get(id));
  }

  private PodAgent require(AgentId id) {
    PodAgent a = agents.get(id);
    if (a == null) {
      throw new AgentException.NotFound(id);
    }
    return a;
  }

  @Override
  public void signal(AgentId id, AgentSignal signal) {
    require(id).signal(signal);
  }

  @Override
  public void kill(AgentId id) {
    require(id).kill();
  }

  @Override
  public boolean remove(AgentId id) {
    PodAgent a = agents.get(id);
    if (a == null) {
      return false;
    }
    if (!a.status().isTerminal()) {
      throw new AgentException.Execution(
          "agent "
              + id
              + " ("
              + a.config().name()
              + ") is still "
              + a.status()
              + "; stop it first (kill or shutdown)");
    }
    agents.remove(id);
    order.remove(id);
    return true;
  }

  /**
   * Calls {@code listener} for every later event of every agent of this runner.
   *
   * @return closing it removes the listener
   */
  public AutoCloseable onEvent(Consumer<? super AgentEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Deletes every live agent's Pod with {@code timeout} as its grace period (the kubelet sends
   * SIGTERM, then SIGKILL once it is over), waits for each to end, and deletes forcibly those still
   * there a little after.
   */
  @Override
  public void shutdown(Duration timeout) {
    List<Future<?>> stops = new ArrayList<>();
    for (PodAgent a : agents.values()) {
      if (a.status().isTerminal()) {
        continue;
      }
      stops.add(
          background.submit(
              () -> {
                a.requestStop();
                a.delete(Math.max(0, timeout.toSeconds()));
                try {
                  if (a.waitFor(timeout.plusSeconds(10)).isEmpty()) {
                    a.delete(0);
                    if (a.waitFor(Duration.ofSeconds(10)).isEmpty()) {
                      a.finish(
                          ExitStatus.signalled(9),
                          "no word from the cluster after its Pod was deleted");
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }));
    }
    for (Future<?> f : stops) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        LOG.warn("stopping an agent failed: {}", e.getCause().toString());
      }
    }
  }

  /**
   * Stops every agent, and returns once none is left nor can come: a spawn racing with it is either
   * refused before it creates anything ({@link AgentException.Execution}, as after close), or cut
   * short, its objects deleted, with the same error.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      // spawns under way stop waiting for their Pods, delete what they created, and throw
      for (PodAgent a : agents.values()) {
        a.failStart("the runner was closed");
      }
      spawns.writeLock().lock(); // no spawn runs any more: every agent left is in the registry
      spawns.writeLock().unlock();
      shutdown(config.shutdownTimeout());
    } finally {
      informer.close();
      background.close();
      if (ownsClient) {
        client.close();
      }
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new AgentException.Execution(CLOSED + "; create a new KubernetesRunner");
    }
  }
}
