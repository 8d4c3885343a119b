package dev.descartes.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine the figures were taken on: cores, memory, kernel, JDK and the peers' versions. */
public record Machine(Map<String, String> facts) {

  public static Machine describe(Toolchain tools) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores (nproc)");
    f.put("memory", memTotal());
    f.put("kernel", read("/proc/sys/kernel/ostype") + " " + read("/proc/sys/kernel/osrelease"));
    f.put(
        "jdk",
        System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
    f.put("gcc", Toolchain.firstLine("gcc", "--version"));
    f.put(
        "python",
        tools.python().map(p -> Toolchain.firstLine(p, "--version")).orElse("not installed"));
    f.put(
        "node", tools.node().map(n -> Toolchain.firstLine(n, "--version")).orElse("not installed"));
    f.put(
        "claude",
        tools.claude().map(c -> Toolchain.firstLine(c, "--version")).orElse("not installed"));
    f.put("load average at start", loadAverage());
    return new Machine(f);
  }

  /** The 1, 5 and 15 minute load averages now. */
  public static String loadAverage() {
    String[] la = read("/proc/loadavg").split(" ");
    return la.length >= 3 ? la[0] + " " + la[1] + " " + la[2] : "?";
  }

  public String markdown() {
    StringBuilder md = new StringBuilder("| machine | |\n|---|---|\n");
    facts.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    return md.toString();
  }

  private static String cpuModel() {
    return read("/proc/cpuinfo")
        .lines()
        .filter(l -> l.startsWith("model name"))
        .findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .orElse("unknown CPU");
  }

  private static String memTotal() {
    return read("/proc/meminfo")
        .lines()
        .filter(l -> l.startsWith("MemTotal"))
        .findFirst()
        .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024.0)
        .map(g -> String.format(java.util.Locale.ROOT, "%.1f GiB", g))
        .orElse("?");
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path)).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
