package dev.descartes.bench.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One workload run of a Java subject, in a JVM of its own so that its threads, memory and
 * descriptors are its own. Prints one JSON object on stdout, the shape every peer prints: {@code
 * {"metrics": {...}}} or {@code {"skipped": "reason"}}.
 *
 * <pre>
 * java -cp ... dev.descartes.bench.worker.WorkerMain runner|processbuilder SCENARIO key=value...
 * </pre>
 *
 * The runner subject takes {@code engine=jdk|native|auto}.
 */
public final class WorkerMain {

  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: WorkerMain runner|processbuilder SCENARIO key=value...");
      System.exit(2);
    }
    WorkArgs a = WorkArgs.parse(args, 2);
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      Workloads w =
          switch (args[0]) {
            case "runner" -> new RunnerWorkloads(a.get("engine", "auto"));
            case "processbuilder" -> new ProcessBuilderWorkloads();
            default -> throw new IllegalArgumentException("unknown subject " + args[0]);
          };
      Metrics m;
      if (args[1].equals("ttfe")) {
        if (!(w instanceof RunnerWorkloads runner)) {
          throw new Workloads.Skipped("scenario ttfe is for the runner's engines only");
        }
        m = new ClaudeFirstEvent(a, runner).run();
      } else {
        m = w.run(args[1], a);
      }
      out.put("metrics", m.values());
    } catch (Workloads.Skipped s) {
      out.put("skipped", s.getMessage());
    }
    System.out.println(new ObjectMapper().writeValueAsString(out));
    System.out.flush();
    // Leftover daemon threads (reapers, pumps) must not keep a finished worker alive.
    System.exit(0);
  }
}
