package dev.descartes.runner.internal;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentSession;
import dev.descartes.runner.SessionProtocol;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The multi-turn session of one agent: pairs the n-th result the CLI reports with the n-th message
 * written. Results arrive on the output-reading thread; messages from any thread. Thread-safe (one
 * lock orders queueing and writing).
 */
final class LocalSession implements AgentSession {

  private final LocalAgent agent;
  private final SessionProtocol protocol;
  private final Deque<CompletableFuture<AgentEvent.Result>> pending = new ArrayDeque<>();
  private final AtomicLong requests = new AtomicLong();
  private CompletableFuture<AgentEvent.Result> current;
  private volatile String sessionId;
  private boolean ended;

  LocalSession(LocalAgent agent, SessionProtocol protocol, boolean firstMessageSent) {
    this.agent = agent;
    this.protocol = protocol;
    if (firstMessageSent) {
      current = new CompletableFuture<>();
      pending.add(current);
    }
  }

  @Override
  public AgentHandle handle() {
    return agent;
  }

  @Override
  public Optional<String> sessionId() {
    return Optional.ofNullable(sessionId);
  }

  @Override
  public synchronized CompletableFuture<AgentEvent.Result> send(String message) {
    if (ended) {
      throw new AgentException.Communication(
          "the session of agent "
              + agent.id()
              + " ("
              + agent.config().name()
              + ") has ended; start a new agent with resumeSession(id) to go on");
    }
    agent.initialInputWritten().join(); // the task goes first
    CompletableFuture<AgentEvent.Result> f = new CompletableFuture<>();
    pending.add(f);
    try {
      agent.writeStdin(protocol.userMessage(message));
      agent.activityTracker().messageSent();
    } catch (RuntimeException e) {
      pending.remove(f);
      throw e;
    }
    current = f;
    return f.copy();
  }

  @Override
  public synchronized CompletableFuture<AgentEvent.Result> currentTurn() {
    if (current == null) {
      throw new IllegalStateException(
          "no message has been sent in the session of agent "
              + agent.id()
              + "; call send(message) first");
    }
    return current.copy();
  }

  @Override
  public void interrupt() {
    byte[] request =
        protocol
            .interruptTurn("descartes-" + requests.incrementAndGet())
            .orElseThrow(
                () ->
                    new AgentException.Execution(
                        "the "
                            + agent.config().modelBackend()
                            + " CLI cannot interrupt a turn and keep its session; stop the agent instead "
                            + "(handle.stop(timeout)) and resume the session in a new one"));
    synchronized (this) {
      if (pending.isEmpty() || ended) {
        return;
      }
    }
    agent.writeStdin(request);
  }

  @Override
  public synchronized void end() {
    ended = true;
    agent.closeStdin();
  }

  /** Called with every normalized event, in order, on the output-reading thread. */
  void accept(AgentEvent.Normalized event) {
    switch (event) {
      case AgentEvent.SessionStarted s -> sessionId = s.sessionId();
      case AgentEvent.Result r -> {
        CompletableFuture<AgentEvent.Result> f;
        synchronized (this) {
          f = pending.poll();
        }
        if (f != null) {
          f.complete(r);
        }
      }
      default -> {}
    }
  }

  /** Called once the agent has ended: turns still waiting never get their result. */
  void agentEnded(String how) {
    synchronized (this) {
      ended = true;
    }
    CompletableFuture<AgentEvent.Result> f;
    while (true) {
      synchronized (this) {
        f = pending.poll();
      }
      if (f == null) {
        return;
      }
      f.completeExceptionally(
          new AgentException.Communication(
              "agent "
                  + agent.id()
                  + " ("
                  + agent.config().name()
                  + ") ended ("
                  + how
                  + ") before it answered this message"));
    }
  }
}
