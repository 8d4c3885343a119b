package dev.descartes.runner.internal;

import dev.descartes.runner.AgentEvent;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A latest-lines event listener: a virtual thread of its own reads the agent's events from a
 * latest-lines iterator and calls the listener, so a slow listener gets a {@code Gap} instead of
 * holding the agent back. Ends after {@code Exited}, or when closed.
 */
final class LatestListener implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LatestListener.class);

  private final Thread thread;
  private volatile boolean closed;

  private LatestListener(
      LocalAgent agent, EventIterator events, Consumer<? super AgentEvent> listener) {
    thread =
        Thread.ofVirtual()
            .name("descartes-listener-" + agent.id())
            .unstarted(
                () -> {
                  try {
                    while (!closed && events.hasNext()) {
                      AgentEvent e = events.next();
                      if (closed) {
                        return;
                      }
                      try {
                        listener.accept(e);
                      } catch (Throwable ex) {
                        try (var _ = AgentMdc.of(agent.id(), agent.config().name())) {
                          LOG.warn(
                              "agent {}: event listener threw {}; delivery goes on",
                              agent.id(),
                              ex.toString());
                        }
                      }
                    }
                  } catch (IllegalStateException interrupted) {
                    // closed while waiting for the next event
                  }
                });
  }

  static LatestListener start(
      LocalAgent agent, EventIterator events, Consumer<? super AgentEvent> listener) {
    LatestListener l = new LatestListener(agent, events, listener);
    l.thread.start();
    return l;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
