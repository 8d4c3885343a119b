package dev.descartes.cli;

import dev.descartes.server.DescartesServer;
import dev.descartes.server.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code descartes serve}: the supervisor daemon, in the foreground until SIGTERM or SIGINT. */
@Command(
    name = "serve",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Runs the supervisor daemon: an HTTP API, live events, metrics, a history and a web dashboard.",
      "Stays in the foreground; SIGTERM or Ctrl+C stops every agent gracefully and saves the state."
    })
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "Where to listen (default: 127.0.0.1:7878; port 0: any free port).")
  String listen = "127.0.0.1:" + ServerConfig.DEFAULT_PORT;

  @Option(
      names = "--allow-remote",
      description = "Allow a --listen address other than loopback (prints a warning).")
  boolean allowRemote;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Token, history and transcripts "
              + "(default: DESCARTES_DATA_DIR, else ~/.local/share/descartes).")
  Path dataDir;

  @Option(
      names = "--stop-timeout",
      paramLabel = "DURATION",
      converter = RunCommand.StopTimeout.class,
      description = "How long agents get to stop gracefully before SIGKILL (default: 10s).")
  Duration stopTimeout = Duration.ofSeconds(10);

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description = "human (default) or json: one JSON object a line.")
  String logFormat = "human";

  @Override
  public Integer call() throws IOException, InterruptedException {
    Logging.configure(logFormat);
    Path dir = (dataDir != null ? dataDir : DaemonClient.defaultDataDir()).toAbsolutePath();
    ServerConfig cfg =
        ServerConfig.defaults(dir)
            .withListen(address(listen), allowRemote)
            .withStopTimeout(stopTimeout);
    DescartesServer server;
    try {
      server = DescartesServer.start(cfg);
    } catch (IllegalArgumentException e) {
      throw InputError.usage(
          "--listen", e.getMessage(), "listen on 127.0.0.1, or add --allow-remote");
    } catch (java.net.BindException e) {
      throw InputError.unavailable(
          "--listen",
          "cannot listen on " + listen + " (" + e.getMessage() + ")",
          "is another daemon running? Pick another port with --listen 127.0.0.1:PORT");
    }
    // SIGTERM and SIGINT stop the daemon and let it exit 0; the shutdown hook covers other exits
    for (String sig : new String[] {"TERM", "INT"}) {
      Signals.handle(
          sig, () -> Thread.ofPlatform().name("descartes-serve-stop").start(server::close));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "descartes-serve-exit"));
    System.out.println("descartes serve: listening on " + server.url() + ", data in " + dir);
    System.out.println(
        "dashboard (keep this URL private, it holds the token): " + server.dashboardUrl());
    System.out.flush();
    server.awaitClose();
    return ExitCodes.OK;
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      throw InputError.usage(
          "--listen", "'" + hostPort + "' has no port", "give HOST:PORT, such as 127.0.0.1:7878");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, port);
    } catch (NumberFormatException e) {
      throw InputError.usage(
          "--listen", "'" + hostPort + "' has no valid port", "give a port from 0 to 65535");
    }
  }
}
