package dev.descartes.runner.internal.cgroup;

import dev.descartes.runner.ResourceLimits;
import dev.descartes.runner.internal.os.FileDescriptor;
import dev.descartes.runner.internal.os.Native;
import dev.descartes.runner.internal.os.OwnChildren;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.os.ProcStat;
import dev.descartes.runner.internal.os.WaitId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's cgroups: made before its process starts, holding the whole tree the agent makes (a
 * process cannot leave a cgroup by changing its environment, its session or its parent), and
 * removed once empty. Kill is the whole group at once: {@code cgroup.kill} in v2; in v1, freeze the
 * group (a frozen process cannot fork or exit), SIGKILL every member through a pidfd, thaw. Every
 * signal goes through a pidfd opened on a pid read from {@code cgroup.procs} and checked to be
 * still in the group after opening, so a recycled pid is never signalled. Thread-safe.
 */
public final class AgentCgroup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentCgroup.class);
  private static final int SIGKILL = 9;
  private static final int SELF = (int) ProcessHandle.current().pid();
  private static final long CPU_PERIOD_MICROS = 100_000;
  private static final Duration FREEZE_WAIT = Duration.ofSeconds(1);
  private static final Duration REMOVE_WAIT = Duration.ofSeconds(2);

  private final CgroupSupport.Mode mode;

  /** The group that defines membership and kills: the v1 freezer group, or the v2 group. */
  private final Path main;

  /** The end of the group's path as {@code /proc/PID/cgroup} shows it. */
  private final String suffix;

  /** Every group of this agent, by v1 controller ({@code ""} for the v2 group). */
  private final Map<String, Path> dirs;

  /** The directories of {@link #dirs}, each once (v1 {@code cpu} and {@code cpuacct} may share). */
  private final Set<Path> groups;

  /** {@link #groups} without {@link #main}. */
  private final Set<Path> others;

  /** Each v1 group a spawning thread enters, with the JVM's own group it returns to. */
  private final Map<Path, Path> threadMoves;

  private final ResourceLimits limits;
  private volatile boolean closed;

  /**
   * Pid and pidfd, in pairs, of the members that were sent a stopping signal: those that die of it
   * after their parent are re-parented to this JVM, and the kill reaps them.
   */
  private final List<Held> signalled = new ArrayList<>();

  AgentCgroup(
      CgroupSupport.Mode mode,
      Path main,
      String suffix,
      Map<String, Path> dirs,
      Map<Path, Path> threadMoves,
      ResourceLimits limits) {
    this.mode = mode;
    this.main = main;
    this.suffix = suffix;
    this.dirs = Map.copyOf(dirs);
    Set<Path> distinct = new LinkedHashSet<>(dirs.values());
    this.groups = Set.copyOf(distinct);
    distinct.remove(main);
    this.others = Set.copyOf(distinct);
    this.threadMoves = Map.copyOf(threadMoves);
    this.limits = limits;
  }

  /** The membership group's directory. */
  public Path path() {
    return main;
  }

  public CgroupSupport.Mode mode() {
    return mode;
  }

  /** Every directory of this agent's groups. */
  public List<Path> paths() {
    return List.copyOf(dirs.values());
  }

  /** Whether processes are placed race-free, by the spawning thread (v1), or after start (v2). */
  public boolean placesBeforeSpawn() {
    return !threadMoves.isEmpty();
  }

  Map<Path, Path> threadMoves() {
    return threadMoves;
  }

  /** Writes the limits into the controllers' files. */
  void applyLimits() throws IOException {
    if (mode == CgroupSupport.Mode.V2) {
      if (limits.memoryBytes().isPresent()) {
        CgroupFs.write(main.resolve("memory.max"), Long.toString(limits.memoryBytes().getAsLong()));
        writeIfPresent(main.resolve("memory.swap.max"), "0");
      }
      if (limits.maxProcesses().isPresent()) {
        CgroupFs.write(
            main.resolve("pids.max"), Integer.toString(limits.maxProcesses().getAsInt()));
      }
      if (limits.cpus().isPresent()) {
        CgroupFs.write(main.resolve("cpu.max"), quota() + " " + CPU_PERIOD_MICROS);
      }
      return;
    }
    if (limits.memoryBytes().isPresent()) {
      Path m = dirs.get("memory");
      String bytes = Long.toString(limits.memoryBytes().getAsLong());
      CgroupFs.write(m.resolve("memory.limit_in_bytes"), bytes);
      writeIfPresent(m.resolve("memory.memsw.limit_in_bytes"), bytes); // no swapping past the limit
    }
    if (limits.maxProcesses().isPresent()) {
      CgroupFs.write(
          dirs.get("pids").resolve("pids.max"), Integer.toString(limits.maxProcesses().getAsInt()));
    }
    if (limits.cpus().isPresent()) {
      Path c = dirs.get("cpu");
      CgroupFs.write(c.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
      CgroupFs.write(c.resolve("cpu.cfs_quota_us"), Long.toString(quota()));
    }
  }

  private long quota() {
    return Math.max(1000, Math.round(limits.cpus().getAsDouble() * CPU_PERIOD_MICROS));
  }

  private static void writeIfPresent(Path file, String value) {
    if (Files.exists(file)) {
      try {
        CgroupFs.write(file, value);
      } catch (IOException e) {
        LOG.debug("cannot write {}: {}", file, e.toString());
      }
    }
  }

  /**
   * Moves {@code pid} into the groups (v2, where the spawning thread could not be placed). A
   * process the child forked between its start and this call stays outside: a window of
   * microseconds that {@code docs/containment.md} discusses.
   */
  public void placeAfterStart(long pid) throws IOException {
    if (placesBeforeSpawn()) {
      return;
    }
    try {
      CgroupFs.write(main.resolve("cgroup.procs"), Long.toString(pid));
    } catch (IOException e) {
      if (ProcFs.stat(pid).map(s -> !s.isZombie()).orElse(false)) {
        throw e;
      }
      // it has already exited: nothing to place
    }
  }

  /** The processes in the group now (live ones: a process leaves its group as it exits). */
  public List<Integer> pids() {
    return CgroupFs.procsBelow(main);
  }

  public boolean isEmpty() {
    return CgroupFs.isEmptyBelow(main);
  }

  /** Whether {@code pid} is, right now, a process of this group. */
  public boolean contains(int pid) {
    String text;
    try {
      text = CgroupFs.read(Path.of("/proc/" + pid + "/cgroup"));
    } catch (IOException e) {
      return false; // gone
    }
    boolean v1 = mode == CgroupSupport.Mode.V1;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      int a = text.indexOf(':', start);
      int b = a < 0 || a >= end ? -1 : text.indexOf(':', a + 1);
      if (b >= 0 && b < end) {
        boolean match =
            v1 ? hasController(text, a + 1, b, "freezer") : text.startsWith("0::", start);
        if (match) {
          if (end - (b + 1) >= suffix.length() && text.startsWith(suffix, end - suffix.length())) {
            return true;
          }
          // or in a group the agent made below its own
          int i = text.indexOf(suffix, b + 1);
          return i >= 0 && i + suffix.length() < end && text.charAt(i + suffix.length()) == '/';
        }
      }
      start = end + 1;
    }
    return false;
  }

  /** Whether the comma-separated list in {@code s[from, to)} names {@code controller}. */
  private static boolean hasController(String s, int from, int to, String controller) {
    int i = from;
    while (i <= to) {
      int comma = s.indexOf(',', i);
      int end = comma < 0 || comma > to ? to : comma;
      if (end - i == controller.length() && s.startsWith(controller, i)) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  /**
   * Sends {@code signal} to each process of the group that {@code which} accepts (given its pid),
   * each through a pidfd checked to be a member after opening.
   *
   * @return how many processes got it
   */
  public int signal(int signal, IntPredicate which) {
    boolean stopping = signal == 1 || signal == 2 || signal == 3 || signal == 15;
    if (!stopping) {
      return send(signal, which, null);
    }
    // Held for the whole round: a kill (the exit sweep, once the leader has died of this very
    // signal) takes the list only after the last member signalled is in it, to reap it.
    synchronized (signalled) {
      return send(signal, which, signalled);
    }
  }

  private int send(int signal, IntPredicate which, List<Held> keep) {
    int n = 0;
    for (int pid : pids()) {
      if (which.test(pid) && sendChecked(pid, signal, keep, true)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Sends {@code signal} to the members of the process group that {@code leaderPid} leads, and to
   * the leader (a group signal, sent one member at a time, and never by the group's number). When
   * {@code wrapped}, the leader is a sandbox: it and its direct child are skipped.
   */
  public int signalGroup(int leaderPid, int signal, boolean wrapped) {
    return signal(
        signal,
        pid ->
            (pid == leaderPid && !wrapped)
                || ProcFs.stat(pid)
                    .map(
                        s -> {
                          boolean inGroup = pid == leaderPid || s.pgid() == leaderPid;
                          // A sandbox (bubblewrap) and its namespace's init are not the agent: the
                          // agent gets it.
                          boolean sandboxItself =
                              wrapped && (pid == leaderPid || s.ppid() == leaderPid);
                          return inGroup && !sandboxItself;
                        })
                    .orElse(false));
  }

  /**
   * @param check whether to check membership after opening the pidfd; not needed for a pid read
   *     from a frozen group, whose members can neither exit nor leave, so their pids are not reused
   */
  private boolean sendChecked(int pid, int signal, List<Held> keep, boolean check) {
    if (pid == SELF) {
      // Never this JVM, even if a thread of it were left in the group by mistake.
      LOG.warn("cgroup {} holds a thread of this JVM; not signalling it", main);
      return false;
    }
    Optional<Native> nat = Native.get();
    if (nat.isEmpty()) {
      // Without pidfds: a frozen or listed member's pid, checked just before; the JDK's handle
      // checks the start time too.
      if (!contains(pid)) {
        return false;
      }
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      if (h.isEmpty()) {
        return false;
      }
      return switch (signal) {
        case SIGKILL -> h.get().destroyForcibly();
        case 15 -> h.get().destroy();
        default -> sendWithKill(pid, signal);
      };
    }
    Native n = nat.get();
    Optional<FileDescriptor> opened = n.pidfdOpen(pid);
    if (opened.isEmpty()) {
      return false;
    }
    FileDescriptor fd = opened.get();
    boolean kept = false;
    try {
      if (check && !contains(pid)) {
        return false; // the pid was recycled by a process outside this group
      }
      boolean sent = n.pidfdSendSignal(fd, signal) == 0;
      if (sent && keep != null) {
        synchronized (keep) {
          keep.add(new Held(pid, fd));
        }
        kept = true;
      }
      return sent;
    } finally {
      if (!kept) {
        fd.close();
      }
    }
  }

  private static boolean sendWithKill(int pid, int signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Integer.toString(pid))
              .redirectErrorStream(true)
              .start();
      kill.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return kill.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Kills every process of the group and waits up to {@code timeout} for the group to be empty;
   * reaps the killed processes that had been re-parented to this JVM. The leader, {@code
   * leaderPid}, is left to its engine to reap.
   *
   * @return how many processes were killed (v1; v2: 1 if any was there), and who was left
   */
  public Killed kill(Duration timeout, long leaderPid) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Held> kept = takeSignalled();
    List<Integer> members = pids();
    if (members.isEmpty()) {
      reapKept(kept, leaderPid, deadline);
      return new Killed(0, List.of());
    }
    if (members.equals(List.of((int) leaderPid))
        && killLoneLeader((int) leaderPid, kept, deadline)) {
      reapKept(kept, leaderPid, deadline);
      return new Killed(1, List.of());
    }
    int killed;
    if (mode == CgroupSupport.Mode.V1) {
      killed = killFrozen(kept);
    } else {
      for (int pid : pids()) { // pidfds of the members, to reap re-parented ones afterwards
        Native.get()
            .ifPresent(
                n ->
                    n.pidfdOpen(pid)
                        .ifPresent(
                            fd -> {
                              if (contains(pid)) {
                                kept.add(new Held(pid, fd));
                              } else {
                                fd.close();
                              }
                            }));
      }
      try {
        CgroupFs.write(main.resolve("cgroup.kill"), "1");
      } catch (IOException e) {
        LOG.warn("cannot kill cgroup {}: {}", main, e.toString());
      }
      killed = kept.size();
    }
    boolean empty = awaitEmpty(deadline);
    reapKept(kept, leaderPid, deadline);
    return new Killed(killed, empty ? List.of() : pids());
  }

  /**
   * What a {@link #kill} did.
   *
   * @param count how many processes it killed (v2: 1 if any was there)
   * @param left the members still in the group when it returned: none if it worked
   */
  public record Killed(int count, List<Integer> left) {}

  /**
   * The kill of a group that held its leader alone when listed, the usual case: SIGKILL through the
   * leader's pidfd, no freeze. Nothing can escape it: a fork that the signal interrupts fails, and
   * a child forked before it is in the group by the time the leader has exited, so an empty group
   * then means every process is gone. False when the group holds others after the leader's exit, or
   * the leader does not exit in time: the freeze path then kills whatever is there.
   */
  private boolean killLoneLeader(int leaderPid, List<Held> kept, long deadline) {
    Optional<Native> nat = Native.get();
    if (nat.isEmpty()) {
      return false;
    }
    Native n = nat.get();
    // The pidfd a SIGTERM kept is the leader's however long ago it was opened; else open one.
    Optional<Held> held = kept.stream().filter(h -> h.pid() == leaderPid).findFirst();
    if (held.isPresent()
        ? n.pidfdSendSignal(held.get().fd(), SIGKILL) != 0
        : !sendChecked(leaderPid, SIGKILL, kept, true)) {
      return false;
    }
    FileDescriptor fd = held.orElseGet(kept::getLast).fd(); // reapKept closes it
    long pause = 10_000;
    long by = Math.min(deadline, System.nanoTime() + FREEZE_WAIT.toNanos());
    while (!n.awaitExit(fd, 0)) {
      if (System.nanoTime() >= by) {
        return false;
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 1_000_000);
    }
    return isEmpty();
  }

  private int killFrozen(List<Held> kept) {
    Path state = main.resolve("freezer.state");
    try {
      CgroupFs.write(state, "FROZEN");
    } catch (IOException e) {
      LOG.warn("cannot freeze cgroup {}: {}; killing its processes one by one", main, e.toString());
    }
    long frozenBy = System.nanoTime() + FREEZE_WAIT.toNanos();
    long pause = 20_000;
    boolean frozen;
    while (!(frozen = readState(state).equals("FROZEN")) && System.nanoTime() < frozenBy) {
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 2_000_000);
    }
    int killed = 0;
    java.util.Set<Integer> done = new java.util.HashSet<>();
    try {
      for (int round = 0; round < 4; round++) { // frozen: one round finds all; unfrozen: a few
        int before = killed;
        for (int pid : pids()) {
          if (done.add(pid) && sendChecked(pid, SIGKILL, kept, !frozen)) {
            killed++;
          }
        }
        if (killed == before) {
          break;
        }
      }
    } finally {
      try {
        CgroupFs.write(state, "THAWED");
      } catch (IOException e) {
        LOG.warn("cannot thaw cgroup {}: {}", main, e.toString());
      }
    }
    return killed;
  }

  private static String readState(Path state) {
    try {
      return CgroupFs.read(state).trim();
    } catch (IOException e) {
      return "FROZEN"; // gone: nothing left to wait for
    }
  }

  /**
   * Waits until no process is left in the group, or the deadline passes; never blocks a carrier.
   */
  public boolean awaitEmpty(long deadlineNanos) {
    long pause = 20_000;
    while (!isEmpty()) {
      if (System.nanoTime() >= deadlineNanos) {
        LOG.debug("cgroup {} still holds {} after the kill", main, pids());
        return false;
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 5_000_000);
    }
    return true;
  }

  /**
   * Reaps the killed processes that end up as zombies of this JVM (it is their subreaper once their
   * parents die too), waiting for that until the deadline; the leader is its engine's to reap.
   */
  private static void reapKept(List<Held> kept, long leaderPid, long deadline) {
    Optional<Native> nat = Native.get();
    if (nat.isEmpty()) {
      return;
    }
    Native n = nat.get();
    List<Held> left = new ArrayList<>();
    for (Held h : kept) {
      if (h.pid() == leaderPid || OwnChildren.contains(h.pid())) {
        h.fd().close();
      } else {
        left.add(h);
      }
    }
    long pause = 20_000;
    try {
      while (!left.isEmpty()) {
        left.removeIf(
            e -> {
              boolean done;
              if (WaitId.reap(e.fd()).reaped()) {
                done = true;
              } else if (!n.awaitExit(e.fd(), 0)) {
                done = false; // still dying
              } else {
                // Exited but not ours to reap (yet): a zombie whose parent is still dying waits to
                // be
                // re-parented to this JVM; anything else is gone or someone else's.
                Optional<ProcStat> st = ProcFs.stat(e.pid());
                done = st.isEmpty() || !st.get().isZombie() || st.get().ppid() <= 1;
              }
              if (done) {
                e.fd().close();
              }
              return done;
            });
        if (left.isEmpty() || System.nanoTime() >= deadline) {
          break;
        }
        LockSupport.parkNanos(pause);
        pause = Math.min(pause * 2, 5_000_000);
      }
    } finally {
      for (Held e : left) {
        e.fd().close();
      }
    }
  }

  /** What the group's controllers (or its members' {@code /proc} entries) say it uses now. */
  public CgroupStats stats() {
    OptionalLong memory = OptionalLong.empty();
    OptionalLong peak = OptionalLong.empty();
    OptionalLong cpuNanos = OptionalLong.empty();
    OptionalLong processes = OptionalLong.empty();
    long oomKills = 0;
    long pidsRefused = 0;
    if (mode == CgroupSupport.Mode.V2) {
      memory = CgroupFs.number(main.resolve("memory.current"));
      peak = CgroupFs.number(main.resolve("memory.peak"));
      OptionalLong usec = CgroupFs.keyed(main.resolve("cpu.stat"), "usage_usec");
      cpuNanos = usec.isPresent() ? OptionalLong.of(usec.getAsLong() * 1000) : OptionalLong.empty();
      processes = CgroupFs.number(main.resolve("pids.current"));
      oomKills = CgroupFs.keyed(main.resolve("memory.events"), "oom_kill").orElse(0);
      pidsRefused = CgroupFs.keyed(main.resolve("pids.events"), "max").orElse(0);
    } else if (mode == CgroupSupport.Mode.V1) {
      Path m = dirs.get("memory");
      if (m != null) {
        memory = CgroupFs.number(m.resolve("memory.usage_in_bytes"));
        peak = CgroupFs.number(m.resolve("memory.max_usage_in_bytes"));
        oomKills = CgroupFs.keyed(m.resolve("memory.oom_control"), "oom_kill").orElse(0);
      }
      Path acct = dirs.get("cpuacct");
      if (acct != null) {
        cpuNanos = CgroupFs.number(acct.resolve("cpuacct.usage"));
      }
      Path p = dirs.get("pids");
      if (p != null) {
        processes = CgroupFs.number(p.resolve("pids.current"));
        pidsRefused = CgroupFs.keyed(p.resolve("pids.events"), "max").orElse(0);
      }
    }
    if (memory.isEmpty() || cpuNanos.isEmpty() || processes.isEmpty()) {
      long rss = 0;
      long ticks = 0;
      List<Integer> members = pids();
      for (int pid : members) {
        Optional<ProcStat> s = ProcFs.stat(pid);
        if (s.isPresent()) {
          rss += s.get().rssPages() * ProcFs.PAGE_SIZE;
          ticks += s.get().cpuTicks();
        }
      }
      memory = memory.isPresent() ? memory : OptionalLong.of(rss);
      cpuNanos =
          cpuNanos.isPresent()
              ? cpuNanos
              : OptionalLong.of(ticks * (1_000_000_000L / ProcFs.TICKS_PER_SECOND));
      processes = processes.isPresent() ? processes : OptionalLong.of(members.size());
    }
    return new CgroupStats(
        memory.orElse(0),
        peak,
        Duration.ofNanos(cpuNanos.orElse(0)),
        (int) processes.orElse(0),
        oomKills,
        pidsRefused);
  }

  /**
   * Removes the groups, retrying for a moment while a process that has just left still holds one. A
   * group that still holds processes stays (see {@link #closeWhenEmpty()}).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    takeSignalled().forEach(h -> h.fd().close());
    removeGroups(groups);
  }

  /**
   * Removes {@code dirs}, retrying briefly while a process that has just left one still holds it
   * ({@code EBUSY}); marks this closed once all are gone.
   */
  private void removeGroups(Set<Path> dirs) {
    long deadline = System.nanoTime() + REMOVE_WAIT.toNanos();
    long pause = 50_000;
    while (true) {
      boolean all = true;
      for (Path d : dirs) {
        all &= CgroupFs.removeTree(d);
      }
      if (all) {
        closed = true;
        return;
      }
      if (System.nanoTime() >= deadline || !isEmpty()) {
        LOG.debug("cgroup {} not removed yet: {}", main, pids());
        return;
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 10_000_000);
    }
  }

  /** The members a stopping signal reached, for the caller to reap; the list is left empty. */
  private List<Held> takeSignalled() {
    synchronized (signalled) {
      List<Held> kept = new ArrayList<>(signalled);
      signalled.clear();
      return kept;
    }
  }

  /**
   * After the leader's exit: removes the groups at once if nothing is left in them, and reaps the
   * members a stopping signal reached that were re-parented to this JVM. A cgroup refuses {@code
   * rmdir} while it holds a process, and nothing can enter an empty group (only a member forks into
   * it), so a removal that succeeds proves the tree gone in one system call, where a listing took
   * an open, a read and a stat.
   *
   * @return whether the groups are gone; if not, what is left needs {@link #kill}
   */
  public boolean removeIfEmpty(long leaderPid) {
    boolean wasOpen = !closed;
    if (wasOpen) {
      try {
        Files.delete(main);
      } catch (java.nio.file.NoSuchFileException e) {
        // removed already
      } catch (IOException e) {
        return false; // populated (EBUSY), or groups below it: the kill looks
      }
    }
    reapKept(takeSignalled(), leaderPid, System.nanoTime() + REMOVE_WAIT.toNanos());
    if (wasOpen) {
      removeGroups(others); // the other controllers' groups, if any
    }
    return true;
  }

  /**
   * Removes the groups now if they are empty, else as soon as the last process in them has gone.
   */
  public void closeWhenEmpty() {
    close(); // the usual case, an empty group: one rmdir per directory and no other look
    if (!closed) {
      EmptyGroupRemover.removeWhenEmpty(this);
    }
  }

  /** Whether every directory is gone. */
  public boolean removed() {
    return groups.stream().noneMatch(Files::exists);
  }

  @Override
  public String toString() {
    return "AgentCgroup[" + mode + ", " + main + "]";
  }

  /** A member signalled through {@code fd}, kept open to reap it later. */
  private record Held(int pid, FileDescriptor fd) {}
}
