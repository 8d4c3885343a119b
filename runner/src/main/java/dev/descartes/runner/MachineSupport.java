package dev.descartes.runner;

import dev.descartes.runner.internal.cgroup.CgroupSupport;
import dev.descartes.runner.internal.engine.NativeProcessEngine;
import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.sandbox.KernelFeatures;
import dev.descartes.runner.internal.sandbox.Programs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What this machine gives the runner: process engines, pidfds, cgroups, user namespaces,
 * bubblewrap, socat, Landlock, seccomp, podman and runc, each with whether it is there and a line
 * saying what it is or why not. {@code descartes doctor} prints it. Immutable and thread-safe.
 *
 * @param features each feature, in a fixed order
 */
public record MachineSupport(List<Feature> features) {

  /**
   * One feature.
   *
   * @param name what it is, such as {@code "bubblewrap"}
   * @param available whether the runner can use it here
   * @param detail its version or configuration, or why it is missing and how to get it
   */
  public record Feature(String name, boolean available, String detail) {}

  /**
   * Copies the features.
   *
   * @throws NullPointerException if {@code features} is null
   */
  public MachineSupport {
    features = List.copyOf(features);
  }

  /**
   * One feature by name.
   *
   * @param name such as {@code "bubblewrap"}
   * @return the feature called {@code name}; empty if there is none
   */
  public Optional<Feature> feature(String name) {
    return features.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /**
   * Looks at this machine now (runs {@code bwrap --version} and a few short probes once).
   *
   * @return what was found
   */
  public static MachineSupport detect() {
    List<Feature> out = new ArrayList<>();
    Optional<String> nativeWhyNot = NativeProcessEngine.unavailableReason();
    out.add(
        new Feature(
            "native engine",
            nativeWhyNot.isEmpty(),
            nativeWhyNot
                .map(r -> "not used: " + r + "; agents run on the JDK engine")
                .orElse(
                    "posix_spawnp, pidfds and one epoll thread through the FFM API (used by default)")));
    out.add(
        new Feature(
            "jdk engine", true, "ProcessBuilder, three platform threads per agent (the fallback)"));
    boolean pidfd =
        Native.get()
            .flatMap(
                n ->
                    n.pidfdOpen(ProcessHandle.current().pid())
                        .map(
                            fd -> {
                              fd.close();
                              return true;
                            }))
            .orElse(false);
    out.add(
        new Feature(
            "pidfd",
            pidfd,
            pidfd
                ? "pidfd_open works: exits are noticed at once, signals never hit a"
                    + " recycled pid"
                : Native.available()
                    ? "pidfd_open failed (Linux 5.3 or later needed)"
                    : "unknown: native access is not enabled (--enable-native-access)"));
    if (Platform.isLinux()) {
      CgroupSupport cg = CgroupSupport.detect();
      out.add(
          new Feature(
              "cgroups", cg.mode() != CgroupSupport.Mode.NONE, String.join("; ", cg.describe())));
    } else {
      out.add(new Feature("cgroups", false, "Linux only"));
    }
    Optional<String> userns = KernelFeatures.maxUserNamespaces();
    boolean usernsOn = userns.map(v -> !v.equals("0")).orElse(false);
    out.add(
        new Feature(
            "user namespaces",
            usernsOn,
            userns
                .map(
                    v ->
                        "user.max_user_namespaces = "
                            + v
                            + (usernsOn
                                ? ""
                                : "; raise it (sysctl user.max_user_namespaces=15000) for sandboxes"))
                .orElse("not in this kernel")));
    Optional<Path> bwrap = Programs.find("bwrap");
    if (bwrap.isEmpty()) {
      out.add(
          new Feature(
              "bubblewrap",
              false,
              "not installed: sandboxes cannot run; apt-get install bubblewrap"));
    } else {
      String version = Programs.probe(List.of(bwrap.get().toString(), "--version")).firstLine();
      Programs.Probe works =
          Programs.probe(
              List.of(
                  bwrap.get().toString(),
                  "--unshare-all",
                  "--ro-bind",
                  "/",
                  "/",
                  "--",
                  "/bin/true"));
      out.add(
          new Feature(
              "bubblewrap",
              works.ok(),
              version
                  + " at "
                  + bwrap.get()
                  + (works.ok()
                      ? ": sandboxes work (user, mount, pid, net, ipc and uts namespaces)"
                      : ": cannot create namespaces here (" + works.firstLine() + ")")));
    }
    Optional<Path> socat = Programs.find("socat");
    out.add(
        new Feature(
            "socat",
            socat.isPresent(),
            socat
                .map(p -> p + ": network allow-lists work")
                .orElse(
                    "not installed: a sandbox with a network allow-list cannot run; apt-get install socat")));
    OptionalInt landlock = KernelFeatures.landlockAbi();
    out.add(
        new Feature(
            "landlock",
            landlock.isPresent(),
            landlock.isPresent()
                ? "ABI " + landlock.getAsInt() + " (not used: sandboxes are made with bubblewrap)"
                : Native.available()
                    ? "not enabled in this kernel"
                    : "unknown: native access is not enabled"));
    Optional<String> seccomp = KernelFeatures.seccompActions();
    out.add(
        new Feature(
            "seccomp",
            seccomp.isPresent(),
            seccomp
                .map(a -> "filters with actions: " + a + " (network none uses one)")
                .orElse("no seccomp filters in this kernel: network none cannot run")));
    for (String tool : List.of("podman", "runc")) {
      Optional<Path> p = Programs.find(tool);
      out.add(
          new Feature(
              tool,
              p.isPresent(),
              p.map(
                      path ->
                          Programs.probe(List.of(path.toString(), "--version")).firstLine()
                              + " at "
                              + path)
                  .orElse("not installed")));
    }
    ContainerSupport containers = ContainerSupport.detect();
    out.add(
        new Feature(
            "containers",
            containers.available(),
            containers.available()
                ? containers.kind()
                    + " "
                    + containers.version().orElse("")
                    + ", runs agents with "
                    + String.join(" ", containers.engineOptions())
                    + " (see docs/containers.md)"
                : String.join("; ", containers.problems())));
    return new MachineSupport(out);
  }
}
