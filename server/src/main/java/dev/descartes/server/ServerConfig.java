package dev.descartes.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the daemon runs.
 *
 * @param listen the address to listen on (port 0: any free port)
 * @param allowRemote true to allow an address other than loopback (the daemon then warns)
 * @param dataDir where the token, the history database and the transcripts live
 * @param stopTimeout how long agents get to stop gracefully before SIGKILL (on stop and shutdown)
 * @param maxBodyBytes the largest request body accepted
 * @param eventsPerAgent the most events held per agent for SSE readers
 * @param eventBytesPerAgent the most bytes of events held per agent
 * @param maxFleetAgents the most agents one fleet request may start
 * @param transcripts true to write every agent's output to {@code dataDir/transcripts}
 */
public record ServerConfig(
    InetSocketAddress listen,
    boolean allowRemote,
    Path dataDir,
    Duration stopTimeout,
    int maxBodyBytes,
    int eventsPerAgent,
    long eventBytesPerAgent,
    int maxFleetAgents,
    boolean transcripts) {

  /** The default port. */
  public static final int DEFAULT_PORT = 7878;

  /** Checks the fields. */
  public ServerConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
  }

  /**
   * The defaults: 127.0.0.1:7878, 10 s to stop, 1 MiB bodies, 20,000 events / 4 MiB per agent,
   * transcripts on.
   */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(
        new InetSocketAddress("127.0.0.1", DEFAULT_PORT),
        false,
        dataDir,
        Duration.ofSeconds(10),
        1 << 20,
        20_000,
        4L << 20,
        1000,
        true);
  }

  /** This config listening on {@code address}. */
  public ServerConfig withListen(InetSocketAddress address, boolean remote) {
    return new ServerConfig(
        address,
        remote,
        dataDir,
        stopTimeout,
        maxBodyBytes,
        eventsPerAgent,
        eventBytesPerAgent,
        maxFleetAgents,
        transcripts);
  }

  /** This config with another stop timeout. */
  public ServerConfig withStopTimeout(Duration timeout) {
    return new ServerConfig(
        listen,
        allowRemote,
        dataDir,
        timeout,
        maxBodyBytes,
        eventsPerAgent,
        eventBytesPerAgent,
        maxFleetAgents,
        transcripts);
  }
}
