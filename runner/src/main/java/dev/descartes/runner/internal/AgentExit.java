package dev.descartes.runner.internal;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.internal.engine.ChildProcess;
import dev.descartes.runner.internal.sandbox.OpenSandbox;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one agent ends: after its main process exits, what is left of its tree is killed (when the
 * runner says so or a stop was asked for), its output drained, its sandbox closed, and an exit code
 * of 128+n read back as death by signal n when this runner sent n. Also checks that a kill took.
 * Thread-safe.
 */
final class AgentExit {

  private static final Logger LOG = LoggerFactory.getLogger(AgentExit.class);

  static {
    // loaded now, not when a kill fails for want of descriptors (a class file needs one to load)
    AgentException.KillFailed.class.getName();
  }

  private final AgentId id;
  private final String name;
  private final ProcessRunnerConfig config;
  private final Optional<OpenSandbox> sandbox;
  private volatile boolean wrapped;
  private final OutputPipeline stdout;
  private final OutputPipeline stderr;
  private final AgentLimits limits;
  private final Set<Integer> sentSignals = ConcurrentHashMap.newKeySet();

  AgentExit(
      AgentId id,
      String name,
      ProcessRunnerConfig config,
      Optional<OpenSandbox> sandbox,
      OutputPipeline stdout,
      OutputPipeline stderr,
      AgentLimits limits) {
    this.id = id;
    this.name = name;
    this.config = config;
    this.sandbox = sandbox;
    this.stdout = stdout;
    this.stderr = stderr;
    this.limits = limits;
  }

  /** The leader is bubblewrap around the agent (a sandbox, or a PID namespace). */
  void wrapped(boolean wrapped) {
    this.wrapped = wrapped;
  }

  /** Signal {@code number} was sent (or is about to be) to the agent. */
  void signalSent(int number) {
    sentSignals.add(number);
  }

  /**
   * After the main process exited, on one thread, once: the tree's leftovers killed (when the
   * runner's config says so or a stop was asked for), a kernel limit noted, the output drained. A
   * failure is logged, not thrown.
   */
  void cleanUp(AgentTree tree, ChildProcess child, boolean stopRequested) {
    try {
      tree.leaderExited();
      boolean sweep = config.killOrphansOnExit() || stopRequested;
      if (tree instanceof CgroupAgentTree g) {
        limits.noteKernelLimits(g.group());
        // the usual end: an empty group, removed at once, and nothing to kill
        sweep &= !g.group().removeIfEmpty(g.leaderPid());
      }
      if (sweep) {
        try {
          int killed = tree.killAll(LocalAgent.REAP_TIMEOUT);
          if (killed > 0) {
            LOG.debug("agent {} ({}): killed {} leftover processes of its tree", id, name, killed);
          }
        } catch (dev.descartes.runner.AgentException.KillFailed e) {
          LOG.warn("agent {} ({}): after its exit, {}", id, name, e.getMessage());
        }
      }
      if (tree instanceof CgroupAgentTree g) {
        g.group().closeWhenEmpty();
      }
      drainOutput(child);
    } catch (RuntimeException e) {
      LOG.warn("agent {} ({}): cleanup after exit failed: {}", id, name, e.toString());
    }
  }

  /**
   * After {@link #cleanUp}, even if it failed: closes the sandbox and returns the exit status as
   * the agent's ({@code raw} interpreted; exit -1 when it is unavailable, {@code err} says why).
   */
  ExitStatus result(ChildProcess child, ExitStatus raw, Throwable err) {
    sandbox.ifPresent(OpenSandbox::close);
    ExitStatus st = raw != null ? interpret(child, raw) : ExitStatus.exited(-1);
    if (err != null) {
      LOG.warn("agent {} ({}): exit status unavailable: {}", id, name, err.toString());
    }
    return st;
  }

  /**
   * The final status: FAILED when a limit ended the agent, TERMINATED when it was stopped on
   * purpose, else COMPLETED or FAILED by its exit status.
   */
  static AgentStatus terminalStatus(boolean limited, boolean stopRequested, ExitStatus st) {
    return limited ? AgentStatus.FAILED : AgentStatus.afterExit(st, stopRequested);
  }

  /**
   * Waits for both streams to end. The timeout runs while nothing happens: an every-line reader
   * that is still reading what the agent wrote before it exited gets all the time it needs.
   */
  private void drainOutput(ChildProcess child) {
    CompletableFuture<Void> both = CompletableFuture.allOf(stdout.ended(), stderr.ended());
    try {
      OutputPipeline.awaitEnded(both, config.outputDrainTimeout(), stdout, stderr);
    } catch (TimeoutException e) {
      LOG.warn(
          "agent {} ({}): output still open {} after exit (a process outside its tree holds the "
              + "pipe); later output is not read",
          id,
          name,
          config.outputDrainTimeout());
      child.abandonOutput();
      stdout.end();
      stderr.end();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stdout.end();
      stderr.end();
    } catch (ExecutionException e) {
      stdout.end();
      stderr.end();
    }
  }

  /**
   * The JDK engine, and bubblewrap around a sandboxed or namespaced agent, report 128+n for death
   * by signal n; it was a signal if we sent n.
   */
  private ExitStatus interpret(ChildProcess child, ExitStatus raw) {
    if ((child.reportsSignalsExactly() && sandbox.isEmpty() && !wrapped) || raw.code().isEmpty()) {
      return raw;
    }
    return ExitStatus.fromCode(raw.code().getAsInt(), sentSignals);
  }

  /**
   * A kill returns only once the main process is gone; if it is still there after {@link
   * LocalAgent#REAP_TIMEOUT}, the kill did not work: returns false, and the caller sets the status
   * and throws {@link #killFailed}, never a silent return.
   */
  static boolean awaitGone(ChildProcess c, Duration timeout) {
    try {
      c.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } catch (ExecutionException e) {
      return true; // the exit status is unavailable, but the process is gone
    } catch (TimeoutException e) {
      return false;
    }
  }

  /** The error for a kill that left the main process alive; {@code failure} may be null. */
  AgentException.KillFailed killFailed(long pid, RuntimeException failure) {
    String why = failure != null ? " (" + failure + ")" : whyFilesCannotOpen();
    return new AgentException.KillFailed(
        "could not kill agent "
            + id
            + " ("
            + name
            + "): its process "
            + pid
            + " is still alive "
            + LocalAgent.REAP_TIMEOUT.toSeconds()
            + " s after SIGKILL"
            + why
            + "; raise the runner's limits (ulimit -n), then call kill() again",
        failure);
  }

  /**
   * {@code " (the runner cannot open files: Too many open files)"}, or empty if it can. A runner
   * out of descriptors cannot load classes either: what this path needs is loaded with this class.
   */
  private static String whyFilesCannotOpen() {
    try (var _ = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/self/stat"))) {
      return "";
    } catch (IOException e) {
      return " (the runner cannot open files: " + e.getMessage() + ")";
    } catch (RuntimeException e) {
      return "";
    }
  }
}
