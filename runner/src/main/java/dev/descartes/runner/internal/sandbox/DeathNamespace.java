package dev.descartes.runner.internal.sandbox;

import dev.descartes.runner.internal.os.Platform;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.os.ProcStat;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's-death guarantee where no cgroup is writable (a user without root on a machine
 * without a delegated cgroup): each agent starts inside bubblewrap, in a PID namespace of its own
 * (entered through a user namespace that maps the user's uid and gid to themselves, when not root).
 * bubblewrap's {@code --die-with-parent} makes the namespace's init die with the thread that
 * spawned it (the long-lived spawn thread, so: with the JVM), and the kernel then kills every
 * process of the namespace, setsid'd and double-forked ones included. The agent sees the same root,
 * files, environment, working directory, descriptors and uid; what changes is that set-uid programs
 * do not gain privileges, files of other users show as owned by {@code nobody}, and whatever the
 * agent leaves behind dies with it. Thread-safe.
 */
public final class DeathNamespace {

  private static final Logger LOG = LoggerFactory.getLogger(DeathNamespace.class);
  private static final AtomicBoolean TOLD = new AtomicBoolean();
  private static volatile Optional<List<String>> prefix;
  private static volatile String reason = "";
  private static final int NEXT_PIDS = 8;
  private static final long SCAN_AFTER_NANOS = 20_000_000;

  private DeathNamespace() {}

  /**
   * {@code argv} wrapped to run in a PID namespace that dies with this JVM, or empty where this
   * machine cannot make one. The first call says which, once, in the log: a warning when neither a
   * cgroup nor a namespace can guarantee that agents die with the runner.
   *
   * @param whyNoCgroup why no cgroup contains the agents, for that one message
   */
  public static Optional<List<String>> wrap(List<String> argv, String whyNoCgroup) {
    Optional<List<String>> p = prefix();
    if (TOLD.compareAndSet(false, true)) {
      if (p.isPresent()) {
        LOG.info(
            "no writable cgroup ({}): each agent runs in a PID namespace of its own, which dies with"
                + " this JVM",
            whyNoCgroup);
      } else {
        LOG.warn(
            "Agents are tracked through /proc and would outlive this JVM if it were killed: no"
                + " writable cgroup ({}) and no PID namespace ({}). Run as root, in a delegated"
                + " cgroup (systemd-run --user --scope -p Delegate=yes), or install bubblewrap and"
                + " allow unprivileged user namespaces.",
            whyNoCgroup,
            reason);
      }
    }
    if (p.isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>(p.get());
    out.addAll(argv);
    return Optional.of(out);
  }

  /**
   * The agent's own pid (in the JVM's namespace) under the bubblewrap process {@code wrapperPid}
   * that was just started: the child of its child, the namespace's init. Waits (parking) until
   * bubblewrap has started it, at most {@code within}; {@code wrapperPid} itself when the agent has
   * already gone or cannot be found.
   */
  public static long agentPid(long wrapperPid, Duration within) {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    int init = -1;
    do {
      Optional<ProcStat> w = ProcFs.stat(wrapperPid);
      if (w.isEmpty() || w.get().isZombie()) {
        return wrapperPid; // gone already, and the agent with it
      }
      // the kernel's list of each process's children, where it has one: exact and cheap
      int child = onlyChild(init > 0 ? init : wrapperPid);
      if (child > 0 && init < 0) {
        init = child;
        child = onlyChild(init);
      }
      if (child > 0) {
        return child;
      }
      // bubblewrap's init and the agent usually take the next pids: look there before a scan
      for (long n = wrapperPid + 1; n <= wrapperPid + NEXT_PIDS; n++) {
        Optional<ProcStat> p = ProcFs.stat(n);
        if (p.isPresent() && init < 0 && p.get().ppid() == wrapperPid) {
          init = p.get().pid();
        } else if (p.isPresent() && init > 0 && p.get().ppid() == init) {
          return n;
        }
      }
      long waited = System.nanoTime() - start;
      if (waited > SCAN_AFTER_NANOS) { // other processes took those pids: scan /proc
        boolean all = waited > within.toNanos() / 2;
        for (ProcStat p : newer(wrapperPid, all)) {
          if (init < 0 && p.ppid() == wrapperPid) {
            init = p.pid();
          }
        }
        if (init > 0) {
          for (ProcStat p : newer(init, all)) {
            if (p.ppid() == init) {
              return p.pid();
            }
          }
        }
      }
      LockSupport.parkNanos(200_000);
    } while (System.nanoTime() < deadline);
    return wrapperPid;
  }

  /**
   * The one child of single-threaded process {@code pid}, from {@code /proc/PID/task/PID/children};
   * -1 if it has none yet, several, or the kernel keeps no such list.
   */
  private static int onlyChild(long pid) {
    try {
      String list = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
      return list.isEmpty() || list.indexOf(' ') >= 0 ? -1 : Integer.parseInt(list);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Processes with a higher pid than {@code pid}, or every process when {@code all} (pids may have
   * wrapped around).
   */
  private static List<ProcStat> newer(long pid, boolean all) {
    List<ProcStat> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
          long n = Long.parseLong(name);
          if (all || n > pid) {
            ProcFs.stat(n).ifPresent(out::add);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return out;
    }
    return out;
  }

  /** Whether agents can be started in a PID namespace of their own here (probed once). */
  public static boolean available() {
    return prefix().isPresent();
  }

  private static Optional<List<String>> prefix() {
    Optional<List<String>> p = prefix;
    if (p == null) {
      synchronized (DeathNamespace.class) {
        p = prefix;
        if (p == null) {
          p = probe();
          prefix = p;
        }
      }
    }
    return p;
  }

  private static Optional<List<String>> probe() {
    if (!Platform.isLinux()) {
      reason = "not Linux";
      return Optional.empty();
    }
    Optional<Path> bwrap = Programs.find("bwrap");
    if (bwrap.isEmpty()) {
      reason = "bubblewrap (bwrap) is not installed";
      return Optional.empty();
    }
    List<String> p = new ArrayList<>(List.of(bwrap.get().toString()));
    if (!isRoot()) {
      p.add("--unshare-user");
    }
    p.addAll(List.of("--unshare-pid", "--die-with-parent", "--dev-bind", "/", "/", "--"));
    List<String> check = new ArrayList<>(p);
    check.add("/bin/true");
    Programs.Probe probe = Programs.probe(check);
    if (!probe.ok()) {
      reason = "bubblewrap cannot make one: " + probe.firstLine();
      return Optional.empty();
    }
    return Optional.of(List.copyOf(p));
  }

  /** Whether the effective uid is 0 (then no user namespace is needed, and none is made). */
  private static boolean isRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("Uid:"))
          .map(l -> l.split("\\s+")[2])
          .anyMatch("0"::equals);
    } catch (IOException e) {
      return false;
    }
  }
}
