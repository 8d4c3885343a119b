package dev.descartes.runner.internal.sandbox;

import dev.descartes.runner.AgentSandbox.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's end of one allow-listed endpoint: listens on a Unix socket that is mounted into the
 * sandbox, and joins every connection made there to a new TCP connection to the endpoint, made from
 * the runner's network. A virtual thread accepts, and two per connection copy bytes, each way half
 * closed on its own. Closing it closes the socket and every connection. Thread-safe.
 */
final class PortForwarder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PortForwarder.class);

  private final Endpoint target;
  private final Path socket;
  private final ServerSocketChannel server;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  PortForwarder(Endpoint target, Path socket) throws IOException {
    this.target = target;
    this.socket = socket;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread.ofVirtual().name("descartes-forward-" + target).start(this::accept);
  }

  private void accept() {
    while (!closed) {
      SocketChannel inside;
      try {
        inside = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          LOG.debug("forwarder to {}: accept failed: {}", target, e.toString());
        }
        return;
      }
      open.add(inside);
      Thread.ofVirtual().start(() -> join(inside));
    }
  }

  private void join(SocketChannel inside) {
    SocketChannel outside = null;
    try {
      outside = SocketChannel.open(new InetSocketAddress(target.host(), target.port()));
      open.add(outside);
      SocketChannel out = outside;
      Thread up = Thread.ofVirtual().start(() -> copy(inside, out));
      copy(out, inside);
      up.join();
    } catch (IOException e) {
      LOG.debug("forwarder to {}: {}", target, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(inside);
      if (outside != null) {
        closeQuietly(outside);
      }
    }
  }

  private void copy(SocketChannel from, SocketChannel to) {
    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    try {
      while (from.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          to.write(buf);
        }
        buf.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(SocketChannel c) {
    open.remove(c);
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (SocketChannel c : open) {
      closeQuietly(c);
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // the sandbox's folder is removed next
    }
  }
}
