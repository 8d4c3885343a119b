package dev.descartes.runner.internal.cgroup;

import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.internal.os.ProcFs;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's cgroups: one scope group per hierarchy, {@code <the JVM's own
 * group>/descartes/j<pid>-<start time>}, and below it one group per agent. Made on first use, which
 * also removes the scopes of JVMs that died without cleaning up (killing what is left in them) and
 * starts the {@link DeathWatchdog} that kills every agent if this JVM dies. Thread-safe.
 */
public final class JvmCgroups {

  private static final Logger LOG = LoggerFactory.getLogger(JvmCgroups.class);
  private static final String BASE = "descartes";
  private static final Pattern SCOPE = Pattern.compile("j(\\d+)-(\\d+)");
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static final Object LOCK = new Object();
  private static volatile Optional<JvmCgroups> instance;
  private static volatile String whyNone = "";

  private final CgroupSupport support;
  private final String scopeName;

  /** The scope group in each hierarchy, by v1 controller ({@code ""} for v2). */
  private final Map<String, Path> scopes;

  private final DeathWatchdog watchdog;

  private JvmCgroups(
      CgroupSupport support, String scopeName, Map<String, Path> scopes, DeathWatchdog watchdog) {
    this.support = support;
    this.scopeName = scopeName;
    this.scopes = Map.copyOf(scopes);
    this.watchdog = watchdog;
  }

  /**
   * This JVM's cgroups, made on the first call; empty where none is writable (after one warning
   * that the runner's death then does not kill its agents).
   */
  public static Optional<JvmCgroups> get() {
    Optional<JvmCgroups> i = instance;
    if (i == null) {
      synchronized (LOCK) {
        i = instance;
        if (i == null) {
          i = create(CgroupSupport.detect());
          instance = i;
        }
      }
    }
    return i;
  }

  /** This JVM's cgroups if they have been made already; never makes them. */
  public static Optional<JvmCgroups> peek() {
    Optional<JvmCgroups> i = instance;
    return i == null ? Optional.empty() : i;
  }

  private static Optional<JvmCgroups> create(CgroupSupport support) {
    if (support.mode() == CgroupSupport.Mode.NONE) {
      whyNone = String.join("; ", support.notes());
      return Optional.empty();
    }
    long self = ProcessHandle.current().pid();
    String name = "j" + self + "-" + ProcFs.stat(self).map(s -> s.startTicks()).orElse(0L);
    Map<String, Path> homes = homes(support);
    Map<String, Path> scopes = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Path> h : homes.entrySet()) {
        Path base = h.getValue().resolve(BASE);
        Files.createDirectories(base);
        removeDeadScopes(base, support.mode(), h.getKey());
        if (support.mode() == CgroupSupport.Mode.V2) {
          enableControllers(h.getValue(), support);
          enableControllers(base, support);
        }
        Path scope = base.resolve(name);
        Files.createDirectories(scope);
        if (support.mode() == CgroupSupport.Mode.V2) {
          enableControllers(scope, support);
        }
        scopes.put(h.getKey(), scope);
      }
    } catch (IOException e) {
      scopes.values().forEach(CgroupFs::removeTree);
      whyNone = "cannot create the runner's cgroups: " + e;
      return Optional.empty();
    }
    Path killDir = support.mode() == CgroupSupport.Mode.V1 ? scopes.get("freezer") : scopes.get("");
    Optional<DeathWatchdog> w =
        DeathWatchdog.start(
            support.mode(), killDir, List.copyOf(new LinkedHashSet<>(scopes.values())));
    if (w.isEmpty()) {
      warn("the watchdog process could not start");
    }
    return Optional.of(new JvmCgroups(support, name, scopes, w.orElse(null)));
  }

  /**
   * Why {@link #get()} is empty (for the one message that says how agents are contained instead);
   * blank while it is not.
   */
  public static String whyNone() {
    return whyNone;
  }

  private static void warn(String why) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "Agents are tracked through /proc and would outlive this JVM if it were killed: {}. Run as"
              + " root or in a delegated cgroup (systemd-run --user --scope -p Delegate=yes) for per-agent"
              + " cgroups and the runner's-death guarantee.",
          why);
    }
  }

  /** The JVM's own group in each hierarchy the mode uses. */
  private static Map<String, Path> homes(CgroupSupport support) {
    Map<String, Path> homes = new LinkedHashMap<>();
    if (support.mode() == CgroupSupport.Mode.V1) {
      homes.putAll(support.v1Dirs());
    } else {
      homes.put("", support.v2Dir().orElseThrow());
    }
    return homes;
  }

  private static void enableControllers(Path dir, CgroupSupport support) {
    StringBuilder want = new StringBuilder();
    for (String c : support.v2Controllers()) {
      want.append('+').append(c).append(' ');
    }
    try {
      CgroupFs.write(dir.resolve("cgroup.subtree_control"), want.toString().trim());
    } catch (IOException e) {
      LOG.debug("cannot enable {} in {}: {}", want, dir, e.toString());
    }
  }

  /** Kills what is left in the scopes of JVMs that are gone, and removes those scopes. */
  private static void removeDeadScopes(Path base, CgroupSupport.Mode mode, String controller) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, Files::isDirectory)) {
      for (Path d : dirs) {
        Matcher m = SCOPE.matcher(d.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid = Long.parseLong(m.group(1));
        long start = Long.parseLong(m.group(2));
        boolean alive = ProcFs.stat(pid).map(s -> s.startTicks() == start).orElse(false);
        if (alive) {
          continue;
        }
        if (controller.equals("freezer") || mode != CgroupSupport.Mode.V1) {
          killScope(d, mode);
        }
        if (CgroupFs.removeTree(d)) {
          LOG.info("removed the cgroups {} left by a runner that died", d);
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot list {}: {}", base, e.toString());
    }
  }

  private static void killScope(Path scope, CgroupSupport.Mode mode) {
    List<Path> groups = new ArrayList<>();
    groups.add(scope);
    try (DirectoryStream<Path> children = Files.newDirectoryStream(scope, Files::isDirectory)) {
      children.forEach(groups::add);
    } catch (IOException e) {
      return;
    }
    for (Path g : groups) {
      if (!CgroupFs.isEmpty(g)) {
        AgentCgroup a =
            new AgentCgroup(
                mode,
                g,
                g.getFileName().toString(),
                Map.of("", g),
                Map.of(),
                ResourceLimits.none());
        a.kill(java.time.Duration.ofSeconds(2), -1);
      }
    }
  }

  public CgroupSupport support() {
    return support;
  }

  /** The scope groups, one per hierarchy. */
  public List<Path> scopes() {
    return List.copyOf(new LinkedHashSet<>(scopes.values()));
  }

  /**
   * Makes the groups of one agent, with {@code limits} written into them.
   *
   * @param name unique among this JVM's agents (the agent id)
   * @throws IOException if a group cannot be made (none is left behind)
   * @throws IllegalArgumentException if a limit needs a controller this machine does not offer
   */
  public AgentCgroup create(String name, ResourceLimits limits) throws IOException {
    Set<String> controllers = new LinkedHashSet<>();
    CgroupSupport.Mode mode = support.mode();
    Map<String, Path> dirs = new LinkedHashMap<>();
    Map<Path, Path> moves = new LinkedHashMap<>();
    Path main;
    if (mode == CgroupSupport.Mode.V1) {
      controllers.add("freezer");
      if (limits.memoryBytes().isPresent()) {
        controllers.add("memory");
      }
      if (limits.cpus().isPresent()) {
        controllers.add("cpu");
        controllers.add("cpuacct");
      }
      if (limits.maxProcesses().isPresent()) {
        controllers.add("pids");
      }
      for (String c : controllers) {
        Path scope = scopes.get(c);
        if (scope == null) {
          if (c.equals("cpuacct")) {
            continue; // CPU time then comes from /proc
          }
          throw new IllegalArgumentException(c);
        }
        Path dir = scope.resolve(name);
        if (!dirs.containsValue(dir)) { // cpu,cpuacct may share a hierarchy
          dirs.put(c, dir);
          moves.put(dir, support.v1Dirs().get(c));
        } else {
          dirs.put(c, dir);
        }
      }
      main = dirs.get("freezer");
    } else {
      if (mode == CgroupSupport.Mode.V2_KILL_ONLY && limits.needsKernel()) {
        throw new IllegalArgumentException(
            limits.memoryBytes().isPresent()
                ? "memory"
                : limits.cpus().isPresent() ? "cpu" : "pids");
      }
      main = scopes.get("").resolve(name);
      dirs.put("", main);
    }
    List<Path> made = new ArrayList<>();
    AgentCgroup group =
        new AgentCgroup(mode, main, "/" + BASE + "/" + scopeName + "/" + name, dirs, moves, limits);
    try {
      for (Path d : new LinkedHashSet<>(dirs.values())) {
        Files.createDirectory(d);
        made.add(d);
      }
      group.applyLimits();
    } catch (IOException | RuntimeException e) {
      made.forEach(CgroupFs::removeTree);
      throw e;
    }
    return group;
  }
}
