package dev.descartes.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs one worker process: marks its environment, keeps its stderr in a log file, enforces a time
 * limit, reads its JSON, and afterwards looks for any process it left behind (killing it, and
 * reporting the leak).
 */
public final class WorkerRun {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The worker running now and its marker, stopped by the harness's shutdown hook (Ctrl+C). */
  private static volatile Process current;

  private static volatile String currentMarker;

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      Process p = current;
                      if (p != null) {
                        p.destroyForcibly();
                        LeakScan.killAll(LeakScan.find(currentMarker));
                      }
                    }));
  }

  private WorkerRun() {}

  public static RunOutcome run(
      Subject subject, int run, List<String> argv, Path log, Duration limit)
      throws IOException, InterruptedException {
    String marker = UUID.randomUUID().toString();
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(argv).redirectError(log.toFile());
    pb.environment().put(LeakScan.MARKER, marker);
    String load = Machine.loadAverage();
    long t0 = System.nanoTime();
    Process p = pb.start();
    currentMarker = marker;
    current = p;
    p.getOutputStream().close();
    var stdout = p.getInputStream();
    byte[][] out = new byte[1][];
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    out[0] = stdout.readAllBytes();
                  } catch (IOException e) {
                    out[0] = new byte[0];
                  }
                });
    String error = null;
    if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      error = "timed out after " + limit.toSeconds() + " s";
      p.destroyForcibly().waitFor();
    }
    reader.join();
    current = null;
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<String> leaked = awaitLeaks(marker);
    LeakScan.killAll(leaked);
    List<String> warnings =
        Files.readAllLines(log, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains("WARN"))
            .toList();
    String text = new String(out[0], StandardCharsets.UTF_8).strip();
    Map<String, Double> metrics = new LinkedHashMap<>();
    String skipped = null;
    if (error == null) {
      String last = text.lines().reduce((a, b) -> b).orElse("");
      try {
        JsonNode node = JSON.readTree(last.isEmpty() ? "{}" : last);
        if (node.has("skipped")) {
          skipped = node.get("skipped").asText();
        } else if (node.has("metrics") && p.exitValue() == 0) {
          node.get("metrics")
              .properties()
              .forEach(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
        } else {
          error = "exit " + p.exitValue() + ": " + tail(log);
        }
      } catch (IOException e) {
        error = "exit " + p.exitValue() + ", unreadable output '" + last + "': " + tail(log);
      }
    }
    return new RunOutcome(
        subject.id(), run, metrics, skipped, error, leaked, warnings, seconds, load);
  }

  /** Processes carrying the marker, after giving the last of them a moment to be reaped. */
  private static List<String> awaitLeaks(String marker) throws InterruptedException {
    List<String> leaked = LeakScan.find(marker);
    for (int i = 0; i < 20 && !leaked.isEmpty(); i++) {
      Thread.sleep(50);
      leaked = LeakScan.find(marker);
    }
    return leaked;
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    List<String> last =
        new ArrayList<>(lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    return String.join("\n    ", last);
  }
}
