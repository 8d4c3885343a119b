package dev.descartes.runner.internal.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What this machine's cgroups offer the runner, found once from {@code /proc/self/mountinfo} and
 * {@code /proc/self/cgroup}: the JVM's own group in each hierarchy, whether it is writable, and
 * which controllers a child group there would get. Agent groups are created below the JVM's own
 * group (so a delegated subtree works without root, and the JVM's own limits still cover its
 * agents).
 *
 * <p>{@link Mode} orders the choices: a cgroup v2 subtree with controllers does everything; else
 * cgroup v1 with a writable {@code freezer} (kill by freezing, race-free placement, limits from
 * whichever of {@code memory}, {@code cpu}, {@code cpuacct}, {@code pids} are writable); else a v2
 * group without controllers, which still kills the whole tree ({@code cgroup.kill}) and lists it;
 * else none, and the runner falls back to tracking trees through {@code /proc}. Immutable and
 * thread-safe.
 *
 * @param mode the mechanism the runner uses
 * @param v2Dir the JVM's own group in the cgroup v2 hierarchy, when that is mounted
 * @param v2Controllers the controllers a child of {@code v2Dir} can have enabled
 * @param v1Dirs each writable v1 controller the runner uses ({@code freezer}, {@code memory},
 *     {@code cpu}, {@code cpuacct}, {@code pids}) and the JVM's own group in it
 * @param notes why a better mode is not available, for {@code descartes doctor}
 */
public record CgroupSupport(
    Mode mode,
    Optional<Path> v2Dir,
    Set<String> v2Controllers,
    Map<String, Path> v1Dirs,
    List<String> notes) {

  /** How agents' groups are made, best first. */
  public enum Mode {
    /** cgroup v2 with the memory, pids and cpu controllers: kill, membership and every limit. */
    V2,
    /** cgroup v1 with a writable freezer: kill by freezing, membership, limits where writable. */
    V1,
    /** cgroup v2 without controllers: kill ({@code cgroup.kill}) and membership, no limits. */
    V2_KILL_ONLY,
    /** No writable cgroup: trees are tracked through {@code /proc}; no kernel limits. */
    NONE
  }

  /** The v1 controllers the runner uses. */
  public static final List<String> V1_CONTROLLERS =
      List.of("freezer", "memory", "cpu", "cpuacct", "pids");

  private static final List<String> V2_WANTED = List.of("memory", "pids", "cpu");
  private static volatile CgroupSupport detected;

  public CgroupSupport {
    v2Controllers = Set.copyOf(v2Controllers);
    v1Dirs = Map.copyOf(v1Dirs);
    notes = List.copyOf(notes);
  }

  /** This machine's support, detected on the first call. */
  public static CgroupSupport detect() {
    CgroupSupport d = detected;
    if (d == null) {
      d = detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"));
      detected = d;
    }
    return d;
  }

  /** Whether {@code resource} ({@code memory}, {@code cpu} or {@code pids}) can be limited. */
  public boolean canLimit(String resource) {
    return switch (mode) {
      case V2 -> v2Controllers.contains(resource);
      case V1 -> v1Dirs.containsKey(resource);
      default -> false;
    };
  }

  /** Lines for {@code descartes doctor}: the mode, what it gives, and what is missing. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add(
        switch (mode) {
          case V2 ->
              "cgroup v2 at "
                  + v2Dir.orElseThrow()
                  + ", controllers "
                  + String.join(", ", sorted(v2Controllers))
                  + ": per-agent kill, membership and limits";
          case V1 ->
              "cgroup v1 (freezer at "
                  + v1Dirs.get("freezer")
                  + "), limit controllers: "
                  + String.join(
                      ", ",
                      v1Dirs.keySet().stream().filter(c -> !c.equals("freezer")).sorted().toList())
                  + ": per-agent kill (freezer), race-free placement, membership and limits";
          case V2_KILL_ONLY ->
              "cgroup v2 at "
                  + v2Dir.orElseThrow()
                  + " without controllers: per-agent kill"
                  + " (cgroup.kill) and membership, no kernel limits except rlimits";
          case NONE ->
              "no writable cgroup: process trees tracked through /proc, limits through rlimits";
        });
    out.addAll(notes);
    return out;
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }

  static CgroupSupport detect(Path mountinfo, Path selfCgroup) {
    List<String> notes = new ArrayList<>();
    Map<String, Path> v1Mounts = new LinkedHashMap<>();
    Map<String, String> v1Roots = new LinkedHashMap<>();
    Path v2Mount = null;
    String v2Root = "/";
    try {
      for (String line : Files.readAllLines(mountinfo)) {
        String[] f = line.split(" ");
        int dash = Arrays.asList(f).indexOf("-");
        if (dash < 0 || dash + 3 >= f.length + 1) {
          continue;
        }
        String fstype = f[dash + 1];
        Path mountPoint = Path.of(unescape(f[4]));
        if (fstype.equals("cgroup2") && v2Mount == null) {
          v2Mount = mountPoint;
          v2Root = unescape(f[3]);
        } else if (fstype.equals("cgroup") && dash + 3 < f.length) {
          for (String opt : f[dash + 3].split(",")) {
            if (V1_CONTROLLERS.contains(opt) && !v1Mounts.containsKey(opt)) {
              v1Mounts.put(opt, mountPoint);
              v1Roots.put(opt, unescape(f[3]));
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return new CgroupSupport(
          Mode.NONE,
          Optional.empty(),
          Set.of(),
          Map.of(),
          List.of("cannot read " + mountinfo + ": " + e.getMessage()));
    }
    Map<String, String> own = new LinkedHashMap<>();
    String ownV2 = null;
    try {
      for (String line : Files.readAllLines(selfCgroup)) {
        String[] f = line.split(":", 3);
        if (f.length < 3) {
          continue;
        }
        if (f[0].equals("0") && f[1].isEmpty()) {
          ownV2 = f[2];
        } else {
          for (String c : f[1].split(",")) {
            own.put(c, f[2]);
          }
        }
      }
    } catch (IOException e) {
      return new CgroupSupport(
          Mode.NONE,
          Optional.empty(),
          Set.of(),
          Map.of(),
          List.of("cannot read " + selfCgroup + ": " + e.getMessage()));
    }
    Optional<Path> v2Dir = Optional.empty();
    Set<String> v2Controllers = new LinkedHashSet<>();
    boolean v2Kill = false;
    if (v2Mount != null && ownV2 != null) {
      Optional<Path> dir = under(v2Mount, v2Root, ownV2);
      if (dir.isPresent() && Files.isWritable(dir.get())) {
        v2Dir = dir;
        v2Controllers.addAll(words(dir.get().resolve("cgroup.subtree_control")));
        if (ownV2.equals(v2Root)) {
          // The root of a hierarchy (or of a cgroup namespace) may hold processes and still enable
          // controllers for its children: the runner enables them when it creates its groups.
          v2Controllers.addAll(words(dir.get().resolve("cgroup.controllers")));
        }
        v2Controllers.retainAll(V2_WANTED);
        v2Kill = Files.exists(dir.get().resolve("cgroup.kill")) || kernelAtLeast(5, 14);
      } else {
        notes.add(
            "cgroup v2 is mounted at "
                + v2Mount
                + " but this JVM's group there is not writable;"
                + " run as root or in a delegated cgroup (systemd-run --user --scope -p Delegate=yes ...)");
      }
    }
    Map<String, Path> v1Dirs = new LinkedHashMap<>();
    for (String c : V1_CONTROLLERS) {
      if (v1Mounts.containsKey(c) && own.containsKey(c)) {
        under(v1Mounts.get(c), v1Roots.get(c), own.get(c))
            .filter(Files::isWritable)
            .ifPresent(d -> v1Dirs.put(c, d));
      }
    }
    if (v2Dir.isPresent() && v2Controllers.containsAll(V2_WANTED)) {
      return new CgroupSupport(Mode.V2, v2Dir, v2Controllers, Map.of(), notes);
    }
    if (v2Dir.isPresent()) {
      notes.add(
          "cgroup v2 group "
              + v2Dir.get()
              + " offers "
              + (v2Controllers.isEmpty()
                  ? "no controllers"
                  : "only " + String.join(", ", sorted(v2Controllers)))
              + " to its children");
    }
    if (v1Dirs.containsKey("freezer")) {
      for (String c : List.of("memory", "cpu", "pids")) {
        if (!v1Dirs.containsKey(c)) {
          notes.add(
              "cgroup v1 " + c + " controller is not mounted or not writable: no " + c + " limit");
        }
      }
      return new CgroupSupport(Mode.V1, v2Dir, v2Controllers, v1Dirs, notes);
    }
    if (!v1Mounts.isEmpty()) {
      notes.add(
          "cgroup v1 controllers are mounted ("
              + String.join(", ", v1Mounts.keySet())
              + ") but no writable freezer");
    }
    if (v2Dir.isPresent() && v2Kill) {
      return new CgroupSupport(Mode.V2_KILL_ONLY, v2Dir, v2Controllers, Map.of(), notes);
    }
    if (v2Mount == null && v1Mounts.isEmpty()) {
      notes.add("no cgroup filesystem is mounted");
    }
    return new CgroupSupport(Mode.NONE, Optional.empty(), Set.of(), Map.of(), notes);
  }

  private static Optional<Path> under(Path mount, String mountRoot, String own) {
    String rel;
    if (mountRoot.equals("/")) {
      rel = own;
    } else if (own.equals(mountRoot) || own.startsWith(mountRoot + "/")) {
      rel = own.substring(mountRoot.length());
    } else {
      return Optional.empty(); // our group is outside what is mounted here
    }
    Path dir = rel.isEmpty() || rel.equals("/") ? mount : mount.resolve(rel.substring(1));
    return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }

  private static List<String> words(Path file) {
    try {
      String s = Files.readString(file).trim();
      return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\");
  }

  private static boolean kernelAtLeast(int major, int minor) {
    try {
      String[] v = System.getProperty("os.version", "0.0").split("[.-]");
      int ma = Integer.parseInt(v[0]);
      int mi = Integer.parseInt(v[1]);
      return ma > major || (ma == major && mi >= minor);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
