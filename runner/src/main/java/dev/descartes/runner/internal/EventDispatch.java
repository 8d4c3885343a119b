package dev.descartes.runner.internal;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.AgentId;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.LineListener;
import dev.descartes.runner.internal.activity.ActivityTracker;
import dev.descartes.runner.internal.io.JsonLines;
import dev.descartes.runner.internal.io.LineBatch;
import dev.descartes.runner.internal.io.LineLog;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one agent's events go: every stdout line goes to the runner's line listeners as a view of
 * the read buffer, is decoded once on the thread that reads it (only when someone needs the
 * decoding), fed to the {@link OutcomeTracker} and the multi-turn session whatever the listeners,
 * then handed to the runner's and the handle's listeners. Also makes the independent readers of
 * {@link dev.descartes.runner.AgentHandle#events()}. Thread-safe: lines arrive on one thread at a
 * time, listeners are added and removed from any.
 */
final class EventDispatch implements OutputPipeline.LineHandler {

  private static final Logger LOG = LoggerFactory.getLogger(EventDispatch.class);

  private final AgentId id;
  private final String name;
  private final boolean jsonStreaming;
  private final CliProtocol cli;
  private final List<Consumer<? super AgentEvent>> runnerListeners;
  private final List<LineListener> lineListeners;
  private final CopyOnWriteArrayList<Consumer<? super AgentEvent>> listeners =
      new CopyOnWriteArrayList<>();
  private final EventDecoder decoder;
  private final EventDecoder jsonDecoder;
  private final AgentEventParser parser;
  private final OutcomeTracker outcomeTracker;
  private final Optional<LocalSession> session;
  private final ActivityTracker activity;
  private volatile AgentOutcome outcome;

  /** Lines handled so far: written by the reading thread only, read by others as progress. */
  private long handled;

  private static final VarHandle HANDLED;

  static {
    try {
      HANDLED = MethodHandles.lookup().findVarHandle(EventDispatch.class, "handled", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * @param session the agent's multi-turn session, if it has one
   */
  EventDispatch(
      AgentId id,
      String name,
      boolean jsonStreaming,
      CliProtocol cli,
      List<Consumer<? super AgentEvent>> runnerListeners,
      List<LineListener> lineListeners,
      Optional<LocalSession> session) {
    this.id = id;
    this.name = name;
    this.jsonStreaming = jsonStreaming;
    this.cli = cli;
    this.runnerListeners = runnerListeners;
    this.lineListeners = lineListeners;
    this.decoder = new EventDecoder(id, name, jsonStreaming);
    this.jsonDecoder = new EventDecoder(id, name, true);
    this.parser = cli.parsers().get();
    this.outcomeTracker = new OutcomeTracker(parser.reportsResults());
    this.session = session;
    this.activity =
        new ActivityTracker(
            jsonStreaming && parser.reportsResults(),
            session.isPresent() && !cli.firstMessageSent());
  }

  /**
   * The stdout lines of one read, on the thread that reads them: each goes to the line listeners,
   * is parsed for the outcome and the session whatever the listeners, then delivered to the event
   * listeners registered when the batch began (one snapshot and one {@link Instant} per batch, not
   * per line). Lines are decoded only when an event listener or the outcome needs them.
   */
  @Override
  public void lines(LineBatch batch, long atMillis) {
    Object[] views = lineListeners.isEmpty() ? NO_LISTENERS : lineListeners.toArray();
    Object[] targets = listenersNow();
    boolean decode = targets.length > 0 || parser.reportsResults();
    Instant at = decode ? decoder.instant(atMillis) : null;
    int n = batch.size();
    long h = handled;
    try (JsonLines json = decode ? EventDecoder.jsonLines() : null) {
      for (int i = 0; i < n; i++) {
        for (Object v : views) {
          deliverView((LineListener) v, batch, i);
        }
        if (decode) {
          dispatchLine(batch.line(i), batch.complete(i), at, targets, json);
        }
        HANDLED.setOpaque(this, ++h);
      }
    }
  }

  /** The runner's line listeners want views; only event listeners and results need arrays. */
  @Override
  public boolean needsArrays() {
    return !listeners.isEmpty() || !runnerListeners.isEmpty() || parser.reportsResults();
  }

  private void deliverView(LineListener l, LineBatch batch, int i) {
    try {
      l.line(id, batch.array(i), batch.start(i), batch.length(i), batch.complete(i));
    } catch (Throwable e) {
      try (var _ = AgentMdc.of(id, name)) {
        LOG.warn("agent {}: line listener threw {}; delivery goes on", id, e.toString());
      }
    }
  }

  @Override
  public long handled() {
    return (long) HANDLED.getOpaque(this);
  }

  /** The runner's listeners, then the handle's, as they are now (each a {@code Consumer}). */
  private Object[] listenersNow() {
    if (listeners.isEmpty() && runnerListeners.isEmpty()) {
      return NO_LISTENERS;
    }
    Object[] runner = runnerListeners.toArray();
    Object[] own = listeners.toArray();
    Object[] all = Arrays.copyOf(runner, runner.length + own.length);
    System.arraycopy(own, 0, all, runner.length, own.length);
    return all;
  }

  private static final Object[] NO_LISTENERS = new Object[0];

  /**
   * No listener, and no session whose turns complete futures that callers may have chained work to:
   * handling a line is the runner's own short work.
   */
  @Override
  public boolean neverBlocks() {
    return listeners.isEmpty()
        && runnerListeners.isEmpty()
        && lineListeners.isEmpty()
        && session.isEmpty();
  }

  /** One stdout line: parsed for the outcome and the session, then delivered to {@code targets}. */
  private void dispatchLine(
      byte[] line, boolean complete, Instant at, Object[] targets, JsonLines json) {
    boolean listening = targets.length > 0;
    if (!parser.reportsResults()) {
      if (listening) {
        deliverAll(targets, decoder.decode(line, complete, at, json));
      }
      return;
    }
    List<AgentEvent> events = jsonDecoder.decode(line, complete, at, json, parser);
    for (AgentEvent e : events) {
      activity.accept(e);
      if (e instanceof AgentEvent.Normalized n) {
        outcomeTracker.accept(n);
        session.ifPresent(s -> s.accept(n));
      }
    }
    if (listening) {
      if (jsonStreaming) {
        for (AgentEvent e : events) {
          deliverAll(targets, e);
        }
      } else {
        deliverAll(targets, decoder.decode(line, complete, at, json));
      }
    }
  }

  @SuppressWarnings("unchecked") // listenersNow() holds nothing else
  private void deliverAll(Object[] targets, AgentEvent event) {
    for (Object l : targets) {
      deliver((Consumer<? super AgentEvent>) l, event);
    }
  }

  /**
   * Delivers {@code event} to the runner's listeners, then the handle's; a throwing one is logged.
   */
  void emit(AgentEvent event) {
    if (event instanceof AgentEvent.Started || event instanceof AgentEvent.Exited) {
      activity.accept(event);
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
      try (var _ = AgentMdc.of(id, name)) {
        LOG.warn("agent {}: event listener threw {}; delivery goes on", id, e.toString());
      }
    }
  }

  AutoCloseable addListener(Consumer<? super AgentEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** A new independent reader of the agent's events, from the oldest line {@code log} holds. */
  Iterator<AgentEvent> newReader(LocalAgent agent, LineLog log) {
    return newReader(agent, log, false, false);
  }

  /**
   * A new reader of the agent's events.
   *
   * @param everyLine hold the agent back rather than skip lines
   * @param fromNow start after the last line so far, without {@code Started}
   */
  EventIterator newReader(LocalAgent agent, LineLog log, boolean everyLine, boolean fromNow) {
    return new EventIterator(
        agent,
        log,
        decoder,
        jsonStreaming ? cli.parsers().get() : AgentEventParser.none(),
        everyLine,
        fromNow);
  }

  /**
   * Called once by the exit finalizer: fixes the outcome. A limit the runner stopped the agent for
   * replaces the CLI's verdict when the CLI reported a failure, or always for a budget.
   *
   * @return whether the limit decided the outcome
   */
  boolean agentExited(
      ExitStatus status, boolean stopRequested, AgentOutcome.ErrorKind limit, String limitMessage) {
    AgentOutcome o = outcomeTracker.finish(status, stopRequested);
    boolean limited = limit != null && (!o.success() || limit == AgentOutcome.ErrorKind.BUDGET);
    if (limited) {
      o =
          new AgentOutcome(
              false,
              o.resultText(),
              Optional.of(limit),
              Optional.of(limitMessage),
              o.costUsd(),
              o.inputTokens(),
              o.outputTokens(),
              o.turns(),
              o.sessionId(),
              o.exitStatus());
    }
    outcome = o;
    return limited;
  }

  /** What the agent is doing. */
  ActivityTracker activity() {
    return activity;
  }

  /** Called once after the Exited event: turns still waiting in the session never get a result. */
  void agentEnded(ExitStatus status) {
    session.ifPresent(s -> s.agentEnded(status.toString()));
  }

  Optional<AgentOutcome> outcome() {
    return Optional.ofNullable(outcome);
  }

  Optional<LocalSession> session() {
    return session;
  }
}
