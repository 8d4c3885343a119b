package dev.descartes.runner.internal.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descartes.runner.ContainerSupport;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Detects the container engine and the options it needs on this machine. Podman first, the Docker
 * CLI where Podman is absent. On hybrid or v1 cgroups Podman's default runtime {@code crun} refuses
 * to start containers, so {@code runc} is chosen there; without systemd the cgroup manager is
 * {@code cgroupfs}; and the file and process limits are given explicitly at values this process may
 * set, because an engine's defaults ask for more than a process without {@code CAP_SYS_RESOURCE}
 * can have. A successful detection is cached for the JVM; a failed one is repeated at the next
 * spawn, so installing the engine needs no restart. Thread-safe.
 */
public final class ContainerEngines {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SYSTEM_DIRS =
      List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");
  private static volatile ContainerSupport cached;

  private ContainerEngines() {}

  /** The cached detection, or a new one if none succeeded yet. */
  public static ContainerSupport cached() {
    ContainerSupport c = cached;
    if (c == null) {
      c = detect();
      if (c.available()) {
        cached = c;
      }
    }
    return c;
  }

  public static ContainerSupport detect() {
    Optional<Path> podman = find("podman");
    if (podman.isPresent()) {
      return podman(podman.get());
    }
    Optional<Path> docker = find("docker");
    if (docker.isPresent()) {
      return docker(docker.get());
    }
    return new ContainerSupport(
        Optional.empty(),
        "none",
        Optional.empty(),
        List.of(),
        List.of(),
        List.of(),
        List.of(
            "neither podman nor docker is on PATH; install Podman (apt-get install podman runc, "
                + "or your system's package) to run agents in containers"));
  }

  private static ContainerSupport podman(Path exe) {
    List<String> facts = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> engineOptions = new ArrayList<>();
    Result info = run(List.of(exe.toString(), "info", "--format", "json"));
    if (info.code != 0) {
      problems.add(
          "'podman info' failed (" + firstLine(info.output) + "); run it by hand to see why");
      return new ContainerSupport(
          Optional.of(exe), "podman", Optional.empty(), List.of(), List.of(), facts, problems);
    }
    String version = null;
    try {
      JsonNode root = JSON.readTree(info.output);
      JsonNode host = root.path("host");
      version = root.path("version").path("Version").asText(null);
      String cgroups = host.path("cgroupVersion").asText("unknown");
      String runtime = host.path("ociRuntime").path("name").asText("unknown");
      boolean rootless = host.path("security").path("rootless").asBoolean(false);
      boolean hybrid = Files.isDirectory(Path.of("/sys/fs/cgroup/unified"));
      facts.add("cgroups: " + cgroups + (hybrid ? " (hybrid: a v2 tree mounted beside v1)" : ""));
      facts.add("default OCI runtime: " + runtime + (rootless ? ", rootless" : ", rootful"));
      boolean pureV2 = "v2".equals(cgroups) && !hybrid;
      if (!pureV2) {
        Optional<Path> runc = find("runc");
        if (runc.isPresent()) {
          engineOptions.addAll(List.of("--runtime", runc.get().toString()));
          facts.add(
              "OCI runtime used: runc ("
                  + runc.get()
                  + "), since crun refuses "
                  + cgroups
                  + (hybrid ? " hybrid" : "")
                  + " cgroups");
        } else if (!"runc".equals(runtime)) {
          problems.add(
              "cgroups are "
                  + cgroups
                  + (hybrid ? " (hybrid)" : "")
                  + " and podman's runtime "
                  + runtime
                  + " refuses them; install runc (apt-get install runc)");
        }
      }
      if (!Files.isDirectory(Path.of("/run/systemd/system"))) {
        engineOptions.add("--cgroup-manager=cgroupfs");
        facts.add("cgroup manager: cgroupfs (systemd is not running)");
      }
    } catch (IOException e) {
      problems.add(
          "'podman info' printed no JSON (" + e.getMessage() + "); check the podman installation");
    }
    return new ContainerSupport(
        Optional.of(exe),
        "podman",
        Optional.ofNullable(version),
        engineOptions,
        ulimits(),
        facts,
        problems);
  }

  private static ContainerSupport docker(Path exe) {
    Result v = run(List.of(exe.toString(), "version", "--format", "{{.Server.Version}}"));
    List<String> problems = new ArrayList<>();
    String version = v.output.strip();
    if (v.code != 0 || version.isEmpty()) {
      problems.add(
          "the docker CLI ("
              + exe
              + ") cannot reach a daemon ("
              + lastLine(v.output)
              + "); start the Docker daemon, or install Podman, which needs none (apt-get install podman runc)");
      version = null;
    } else {
      // --pull is the client's: the server may be any Docker-compatible one
      String client =
          run(List.of(exe.toString(), "version", "--format", "{{.Client.Version}}")).output.strip();
      if (!dockerTakesPullNever(client)) {
        problems.add(
            "the docker CLI "
                + client
                + " is older than 20.10, whose 'docker run --pull never' the runner needs (it"
                + " never pulls an image); upgrade the Docker CLI, or install Podman (apt-get"
                + " install podman runc)");
      }
    }
    return new ContainerSupport(
        Optional.of(exe),
        "docker",
        Optional.ofNullable(version),
        List.of(),
        ulimits(),
        List.of(),
        problems);
  }

  /** Whether a Docker CLI version ({@code 28.2.2}, {@code 20.10.7}) is 20.10 or later. */
  static boolean dockerTakesPullNever(String version) {
    String[] parts = version.split("[.+-]");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > 20 || (major == 20 && minor >= 10);
    } catch (NumberFormatException e) {
      return true; // a version we cannot read is a new one more often than an old one
    }
  }

  /**
   * The open-files and processes limits this process has, for the container: an engine's defaults
   * are higher than a process without CAP_SYS_RESOURCE may set. Processes are capped at {@code
   * kernel.pid_max}, which the container's runtime cannot exceed either.
   */
  static List<String> ulimits() {
    List<String> out = new ArrayList<>();
    long pidMax = readLong(Path.of("/proc/sys/kernel/pid_max")).orElse(Long.MAX_VALUE);
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          limit(line, Long.MAX_VALUE)
              .ifPresent(l -> out.addAll(List.of("--ulimit", "nofile=" + l)));
        } else if (line.startsWith("Max processes")) {
          limit(line, pidMax).ifPresent(l -> out.addAll(List.of("--ulimit", "nproc=" + l)));
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");
    }
    return out;
  }

  /** "soft:hard" from a line of /proc/self/limits, each capped; empty when both are unlimited. */
  private static Optional<String> limit(String line, long cap) {
    String[] f = line.substring(26).trim().split("\\s+");
    if (f[0].equals("unlimited") && f[1].equals("unlimited") && cap == Long.MAX_VALUE) {
      return Optional.empty();
    }
    long soft = f[0].equals("unlimited") ? cap : Math.min(cap, Long.parseLong(f[0]));
    long hard = f[1].equals("unlimited") ? cap : Math.min(cap, Long.parseLong(f[1]));
    return Optional.of(soft + ":" + hard);
  }

  private static Optional<Long> readLong(Path p) {
    try {
      return Optional.of(Long.parseLong(Files.readString(p).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** An executable on this process's PATH or in the system directories. */
  static Optional<Path> find(String program) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(SYSTEM_DIRS);
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, program);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  record Result(int code, String output) {}

  /** Runs a short engine command, stdout and stderr together, with a deadline. */
  static Result run(List<String> argv) {
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor();
        return new Result(-1, "timed out");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }

  static String lastLine(String s) {
    String t = s.strip();
    return t.substring(t.lastIndexOf('\n') + 1);
  }
}
