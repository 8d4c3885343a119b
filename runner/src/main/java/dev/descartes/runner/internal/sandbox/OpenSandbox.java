package dev.descartes.runner.internal.sandbox;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sandbox set up for one agent: the command line and environment to start, and what to tear down
 * once the agent has ended (its forwarders and its private folder, {@code HOME} included). Closing
 * it twice is harmless. Thread-safe.
 */
public final class OpenSandbox implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OpenSandbox.class);

  private final Path dir;
  private final List<AutoCloseable> resources;
  private volatile List<String> argv = List.of();
  private volatile Map<String, String> environment = Map.of();
  private volatile boolean closed;

  OpenSandbox(Path dir, List<AutoCloseable> resources) {
    this.dir = dir;
    this.resources = resources;
  }

  void launch(List<String> argv, Map<String, String> environment) {
    this.argv = List.copyOf(argv);
    this.environment = Map.copyOf(environment);
  }

  /** The command line: bubblewrap, its options, then the agent's own. */
  public List<String> argv() {
    return argv;
  }

  /** The agent's environment, with its new {@code HOME}. */
  public Map<String, String> environment() {
    return environment;
  }

  /** The agent's private folder on the host. */
  public Path folder() {
    return dir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        LOG.debug("sandbox teardown: {}", e.toString());
      }
    }
    try {
      deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("could not remove the sandbox folder {}: {}", dir, e.toString());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            d.toFile()
                .setWritable(true, true); // an agent may have left a read-only folder in its HOME
            d.toFile().setExecutable(true, true);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
