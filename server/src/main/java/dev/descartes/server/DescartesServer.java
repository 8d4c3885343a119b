package dev.descartes.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor daemon: a {@link dev.descartes.runner.LocalProcessRunner}, its HTTP API, SSE
 * streams, metrics and dashboard on one port, and its run history in SQLite. {@link #close()} stops
 * every agent gracefully (each backend's stop sequence, SIGKILL after the stop timeout) and records
 * their ends.
 *
 * <pre>{@code
 * try (var server = DescartesServer.start(ServerConfig.defaults(dataDir))) {
 *   System.out.println(server.dashboardUrl());
 *   server.awaitClose();
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class DescartesServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DescartesServer.class);

  /** The file in the data dir that holds the URL of the daemon using it. */
  public static final String URL_FILE = "url";

  private final ServerConfig config;
  private final History history;
  private final Supervisor supervisor;
  private final HttpServer http;
  private final HttpApi api;
  private final ExecutorService executor;
  private final Tokens tokens;
  private final URI url;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.concurrent.CountDownLatch done =
      new java.util.concurrent.CountDownLatch(1);

  private DescartesServer(ServerConfig config) throws IOException {
    this.config = config;
    InetSocketAddress listen = config.listen();
    if (listen.isUnresolved()) {
      throw new IllegalArgumentException(
          "--listen: cannot resolve host '" + listen.getHostString() + "'");
    }
    if (!listen.getAddress().isLoopbackAddress() && !config.allowRemote()) {
      throw new IllegalArgumentException(
          "--listen "
              + listen.getHostString()
              + ": not a loopback address; anyone "
              + "who can reach it and holds the token can run commands on this machine. Add --allow-remote to do it anyway");
    }
    Path dir = config.dataDir();
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException | IOException e) {
      LOG.debug("cannot restrict {}: {}", dir, e.getMessage());
    }
    this.tokens = Tokens.loadOrCreate(dir);
    try {
      this.history = new History(dir.resolve("history.db"));
    } catch (SQLException e) {
      throw new IOException(
          "cannot open the history database " + dir.resolve("history.db") + ": " + e.getMessage(),
          e);
    }
    this.supervisor = new Supervisor(config, history);
    this.api = new HttpApi(supervisor, tokens, config);
    this.http = HttpServer.create(listen, 4096);
    this.executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("descartes-http-", 0).factory());
    http.setExecutor(executor);
    http.createContext("/", api);
    http.start();
    InetSocketAddress bound = http.getAddress();
    String host = bound.getAddress().getHostAddress();
    this.url =
        URI.create(
            "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort());
    Path urlFile = dir.resolve(URL_FILE);
    Path tmp = dir.resolve(URL_FILE + ".tmp");
    Files.writeString(tmp, url + "\n");
    Files.move(tmp, urlFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    if (!listen.getAddress().isLoopbackAddress()) {
      LOG.warn(
          "listening on {}, which is not a loopback address: anyone who can reach it and holds the token "
              + "can run commands on this machine",
          url);
    }
    LOG.info("listening on {}, data in {}", url, dir);
  }

  /**
   * Starts a daemon.
   *
   * @throws IOException when the data dir, the history or the port cannot be used
   * @throws IllegalArgumentException for a non-loopback address without {@code allowRemote}
   */
  public static DescartesServer start(ServerConfig config) throws IOException {
    return new DescartesServer(config);
  }

  /** The API's base URL, such as {@code http://127.0.0.1:7878}. */
  public URI url() {
    return url;
  }

  /** The dashboard's login URL, with the token in it: show it once, to the daemon's owner. */
  public URI dashboardUrl() {
    return URI.create(url + "/login?token=" + tokens.token());
  }

  /** The data dir. */
  public Path dataDir() {
    return config.dataDir();
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClose() throws InterruptedException {
    done.await();
  }

  /** Stops the agents gracefully, records their ends, and stops serving. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("stopping: every agent gets {} to stop", config.stopTimeout());
    try {
      api.closing();
      supervisor.close();
      http.stop(0);
      executor.shutdownNow();
      history.close();
      try {
        Files.deleteIfExists(config.dataDir().resolve(URL_FILE));
      } catch (IOException e) {
        // the next daemon replaces it
      }
      LOG.info("stopped");
    } finally {
      done.countDown();
    }
  }
}
