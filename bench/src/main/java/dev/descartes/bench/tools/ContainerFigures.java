package dev.descartes.bench.tools;

import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.ContainerSpec;
import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Spawn-to-first-line of a containerized agent against a plain one, in the same JVM and run: the
 * time from {@code spawn} until the agent's first stdout line is read, for {@code sh -c 'echo
 * first'}, alternating plain and containerized so both see the same machine load. A documented
 * tool, not a test: run it through {@code bench/container-figures.sh}.
 *
 * <pre>ContainerFigures [--runs N]   (default 20)</pre>
 */
public final class ContainerFigures {

  private ContainerFigures() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length == 2 && args[0].equals("--runs") ? Integer.parseInt(args[1]) : 20;
    Path work = Files.createTempDirectory("descartes-container-figures");
    String image = TestImages.hostUsrImageOutsideTests();
    List<Double> plain = new ArrayList<>();
    List<Double> boxed = new ArrayList<>();
    try (LocalProcessRunner runner =
        new LocalProcessRunner(ProcessRunnerConfig.builder().shutdownHook(false).build())) {
      AgentConfig local =
          AgentConfig.builder()
              .name("plain")
              .workingDir(work)
              .command("sh", "-c", "echo first")
              .build();
      AgentConfig container =
          local.toBuilder()
              .name("boxed")
              .container(
                  ContainerSpec.builder(image)
                      .mount(ContainerSpec.Mount.readOnly(Path.of("/usr")))
                      .build())
              .build();
      firstLineMillis(runner, local); // warm-up of both paths, not counted
      firstLineMillis(runner, container);
      for (int i = 0; i < runs; i++) {
        plain.add(firstLineMillis(runner, local));
        boxed.add(firstLineMillis(runner, container));
      }
    } finally {
      TestImages.remove();
      Files.deleteIfExists(work);
    }
    double p = median(plain);
    double c = median(boxed);
    System.out.printf(
        Locale.ROOT,
        "runs=%d plain_median_ms=%.1f container_median_ms=%.1f ratio=%.1f%n"
            + "plain_ms=%s%ncontainer_ms=%s%n",
        runs,
        p,
        c,
        c / p,
        round(plain),
        round(boxed));
  }

  private static double firstLineMillis(LocalProcessRunner runner, AgentConfig config)
      throws Exception {
    long t0 = System.nanoTime();
    AgentHandle h = runner.spawn(config);
    if (h.readStdout(Duration.ofSeconds(60)).isEmpty()) {
      throw new IllegalStateException(config.name() + " wrote no line");
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    h.waitFor();
    runner.remove(h.id());
    return ms;
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static List<Long> round(List<Double> xs) {
    return xs.stream().map(Math::round).toList();
  }
}
