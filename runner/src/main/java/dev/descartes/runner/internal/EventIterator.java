package dev.descartes.runner.internal;

import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentEventParser;
import dev.descartes.runner.internal.io.LineLog;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One reader of an agent's events: Started, then the events of each stdout line (or a Gap), then
 * Exited. {@link #hasNext()} blocks until the next event exists. An every-line iterator holds the
 * agent back while it is behind, until it has read {@code Exited}, is closed, or is unreachable.
 * Not thread-safe (one per reader), except {@link #close()}.
 */
final class EventIterator implements Iterator<AgentEvent>, AutoCloseable {

  private enum Phase {
    STARTED,
    LINES,
    EXITED,
    DONE
  }

  private final LocalAgent agent;
  private final LineLog log;
  private final LineLog.Cursor cursor;
  private final EventDecoder decoder;
  private final AgentEventParser parser;
  private final ArrayDeque<AgentEvent> queued = new ArrayDeque<>();
  private final java.lang.ref.Cleaner.Cleanable release;
  private Phase phase = Phase.STARTED;
  private AgentEvent next;

  EventIterator(LocalAgent agent, LineLog log, EventDecoder decoder, AgentEventParser parser) {
    this(agent, log, decoder, parser, false, false);
  }

  /**
   * @param everyLine hold the agent back rather than skip
   * @param fromNow start after the last line read so far, without {@code Started}
   */
  EventIterator(
      LocalAgent agent,
      LineLog log,
      EventDecoder decoder,
      AgentEventParser parser,
      boolean everyLine,
      boolean fromNow) {
    this.agent = agent;
    this.log = log;
    this.cursor = fromNow ? log.newCursorAtEnd() : log.newCursor(everyLine);
    if (fromNow) {
      phase = Phase.LINES;
    }
    this.decoder = decoder;
    this.parser = parser;
    this.release = everyLine ? SharedReader.releaseWhenUnreachable(this, log, cursor) : null;
  }

  /** Stops holding the agent back; iteration may go on, as a latest-lines reader would. */
  @Override
  public void close() {
    if (release != null) {
      release.clean();
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    try {
      next = advance();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for the next event of " + agent.id(), e);
    }
    return next != null;
  }

  @Override
  public AgentEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    AgentEvent e = next;
    next = null;
    return e;
  }

  private AgentEvent advance() throws InterruptedException {
    while (true) {
      switch (phase) {
        case STARTED -> {
          phase = Phase.LINES;
          return agent.startedEvent();
        }
        case LINES -> {
          if (!queued.isEmpty()) {
            return queued.poll();
          }
          LineLog.Read r = log.take(cursor);
          switch (r) {
            case LineLog.Read.Line l -> {
              queued.addAll(decoder.decode(l.entry(), parser));
              return queued.poll();
            }
            case LineLog.Read.Gap g -> {
              return new AgentEvent.Gap(agent.id(), Instant.now(), g.lines(), g.bytes());
            }
            case LineLog.Read.End e -> phase = Phase.EXITED;
            case LineLog.Read.None n -> {}
          }
        }
        case EXITED -> {
          phase = Phase.DONE;
          return agent.awaitExited();
        }
        case DONE -> {
          return null;
        }
      }
    }
  }
}
