package dev.descartes.runner.internal.pool;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentSession;
import dev.descartes.runner.PooledAgent;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** One lease of one pooled agent. Thread-safe. */
final class PoolLease implements PooledAgent {

  private final LocalAgentPool pool;
  private final AgentHandle handle;
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile CompletableFuture<AgentEvent.Result> lastTurn;

  PoolLease(LocalAgentPool pool, AgentHandle handle) {
    this.pool = pool;
    this.handle = handle;
  }

  @Override
  public AgentHandle handle() {
    return handle;
  }

  @Override
  public Optional<AgentSession> session() {
    return handle.session();
  }

  @Override
  public CompletableFuture<AgentEvent.Result> send(String task) {
    if (released.get()) {
      throw new AgentException.Communication(
          "this lease of agent "
              + handle.id()
              + " was released; lease "
              + "another agent from the pool");
    }
    Optional<AgentSession> session = handle.session();
    if (session.isPresent()) {
      CompletableFuture<AgentEvent.Result> turn = session.get().send(task);
      lastTurn = turn;
      return turn;
    }
    handle.writeStdin((task + "\n").getBytes(StandardCharsets.UTF_8));
    return CompletableFuture.completedFuture(null);
  }

  /** Whether a turn sent through this lease has not answered yet. */
  boolean turnInProgress() {
    CompletableFuture<AgentEvent.Result> t = lastTurn;
    return t != null && !t.isDone();
  }

  /** Marks the lease released; true the first time. */
  boolean markReleased() {
    return released.compareAndSet(false, true);
  }

  @Override
  public void close() {
    pool.release(this);
  }
}
