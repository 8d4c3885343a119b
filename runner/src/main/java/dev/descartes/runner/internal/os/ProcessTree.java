package dev.descartes.runner.internal.os;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's process tree on Linux: finds every process that belongs to it, signals them, kills
 * them all and reaps the ones re-parented to this JVM.
 *
 * <p>A process belongs to the agent when it is the leader itself (pid and start time); or in the
 * leader's process group or session and started while the leader lived (the kernel does not recycle
 * a pid still used as a group or session id, so such a process is ours); or its initial environment
 * carries the agent's cookie ({@code DESCARTES_AGENT_ID=<uuid>}), which finds tools that started
 * their own session and outlived their parent; or its parent belongs; or it was seen belonging
 * before and still has the same start time. Signals go to each member through {@link Signaller},
 * which checks the start time, so an unrelated process is never hit. Thread-safe.
 */
public final class ProcessTree {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);
  private static final int SIGKILL = 9;
  private static final int SIGSTOP = 19;
  private static final int MAX_FREEZE_ROUNDS = 16;
  private static final long SELF = ProcessHandle.current().pid();

  /** A process's identity: pid plus start time. */
  public record Member(int pid, long startTicks) {}

  private final int leaderPid;
  private final long leaderStart;
  private final String cookieName;
  private final String cookieValue;
  private final boolean wrapped;
  private volatile long leaderExitTicks = Long.MAX_VALUE;
  private final Set<Member> seen = ConcurrentHashMap.newKeySet();

  /**
   * Sessions that members started (tools that called setsid); never pruned while the tree lives.
   */
  private final Set<Integer> sessions = ConcurrentHashMap.newKeySet();

  private ProcessTree(
      int leaderPid, long leaderStart, String cookieName, String cookieValue, boolean wrapped) {
    this.wrapped = wrapped;
    this.leaderPid = leaderPid;
    this.leaderStart = leaderStart;
    this.cookieName = cookieName;
    this.cookieValue = cookieValue;
  }

  /**
   * The tree of a freshly started leader whose environment holds {@code cookieName=cookieValue}.
   *
   * @return empty if the leader is already gone (nothing can belong to it then)
   */
  public static Optional<ProcessTree> of(long leaderPid, String cookieName, String cookieValue) {
    return of(leaderPid, cookieName, cookieValue, false);
  }

  /**
   * Like {@link #of(long, String, String)}; {@code wrapped} when the leader is a sandbox
   * (bubblewrap) whose child is the init process of a new PID namespace, which runs the agent:
   * neither passes signals on, and the leader dies of a stop signal at once (taking the namespace
   * with it), so {@link #signalGroup} skips both and signals the agent and its group directly.
   */
  public static Optional<ProcessTree> of(
      long leaderPid, String cookieName, String cookieValue, boolean wrapped) {
    return ProcFs.stat(leaderPid)
        .map(
            s ->
                new ProcessTree((int) leaderPid, s.startTicks(), cookieName, cookieValue, wrapped));
  }

  /**
   * The tree of a leader that was already gone (exited and reaped) when {@code /proc} was first
   * read: a script that starts tools in the background and exits at once. Its members are found by
   * the cookie, and by the leader's process group and session among the processes started since
   * {@code notBeforeTicks} (taken just before the spawn), and by ancestry from those.
   */
  public static ProcessTree departed(
      long leaderPid, long notBeforeTicks, String cookieName, String cookieValue, boolean wrapped) {
    ProcessTree tree =
        new ProcessTree((int) leaderPid, notBeforeTicks, cookieName, cookieValue, wrapped);
    tree.leaderExited();
    return tree;
  }

  /** Whether the leader is a sandbox (bubblewrap) around the agent; see {@link #of}. */
  public boolean wrapped() {
    return wrapped;
  }

  public int leaderPid() {
    return leaderPid;
  }

  /**
   * Records that the leader has exited; later processes of its group only count through ancestry.
   */
  public void leaderExited() {
    if (leaderExitTicks == Long.MAX_VALUE) {
      leaderExitTicks = ProcFs.uptimeTicks() + 1;
    }
  }

  /** The members alive now, from a read of {@code /proc} that begins after this call. */
  public List<ProcStat> members() {
    return members(ProcSnapshots.fresh());
  }

  /** The members within {@code snapshot}. */
  public List<ProcStat> members(ProcSnapshot snapshot) {
    Map<Integer, ProcStat> accepted = new LinkedHashMap<>();
    long exit = leaderExitTicks;
    ProcStat leader = snapshot.get(leaderPid);
    if (leader != null && leader.startTicks() == leaderStart) {
      accepted.put(leaderPid, leader);
    }
    for (List<ProcStat> related : List.of(snapshot.group(leaderPid), snapshot.session(leaderPid))) {
      for (ProcStat p : related) {
        if (p.startTicks() >= leaderStart && p.startTicks() <= exit) {
          accepted.putIfAbsent(p.pid(), p);
        }
      }
    }
    for (ProcStat p : snapshot.withCookie(cookieName, cookieValue)) {
      if (p.startTicks() >= leaderStart) {
        accepted.putIfAbsent(p.pid(), p);
      }
    }
    for (Member m : seen) {
      ProcStat p = snapshot.get(m.pid());
      if (p != null && p.startTicks() == m.startTicks()) {
        accepted.putIfAbsent(p.pid(), p);
      }
    }
    for (int sid : sessions) {
      for (ProcStat p : snapshot.session(sid)) {
        if (adoptedFromOurSession(p)) {
          accepted.putIfAbsent(p.pid(), p);
        }
      }
    }
    ArrayDeque<ProcStat> queue = new ArrayDeque<>(accepted.values());
    while (!queue.isEmpty()) {
      ProcStat parent = queue.poll();
      for (ProcStat c : snapshot.children(parent.pid())) {
        if (c.startTicks() >= parent.startTicks() && accepted.putIfAbsent(c.pid(), c) == null) {
          queue.add(c);
        }
      }
    }
    for (ProcStat p : accepted.values()) {
      seen.add(new Member(p.pid(), p.startTicks()));
      if (p.sid() != leaderPid && p.sid() > 1) {
        sessions.add(p.sid());
      }
    }
    seen.removeIf(m -> !accepted.containsKey(m.pid()));
    return List.copyOf(accepted.values());
  }

  /**
   * A zombie re-parented to this JVM that led, or belonged to, a session a member started: a tool's
   * shell that died after its CLI (its environment, and so the cookie, is gone with it).
   */
  private boolean adoptedFromOurSession(ProcStat p) {
    return p.isZombie()
        && p.ppid() == SELF
        && (sessions.contains(p.pid()) || sessions.contains(p.sid()));
  }

  /**
   * Sends {@code signal} to the leader and the members in its process group (to every member when
   * the leader could not get a group of its own).
   */
  public int signalGroup(int signal) {
    List<ProcStat> members = members();
    boolean ownGroup =
        members.stream().anyMatch(p -> p.pid() == leaderPid && p.pgid() == leaderPid);
    int n = 0;
    for (ProcStat p : members) {
      boolean inGroup = p.pid() == leaderPid || p.pgid() == leaderPid || !ownGroup;
      boolean sandboxItself = wrapped && (p.pid() == leaderPid || p.ppid() == leaderPid);
      if (inGroup
          && !sandboxItself
          && !p.isZombie()
          && Signaller.send(p.pid(), p.startTicks(), signal)) {
        n++;
      }
    }
    return n;
  }

  /** Sends {@code signal} to every member. */
  public int signalAll(int signal) {
    int n = 0;
    for (ProcStat p : members()) {
      if (!p.isZombie() && Signaller.send(p.pid(), p.startTicks(), signal)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Kills every member: freezes them with SIGSTOP until no new member appears (a stopped process
   * cannot fork), then SIGKILL to all, then waits up to {@code reapTimeout} for each to be gone,
   * reaping those that were re-parented to this JVM. The leader itself is never reaped here: its
   * parent (the JDK, or the native engine) does that.
   *
   * @return the number of processes killed
   */
  public int killAll(Duration reapTimeout) {
    Map<Member, ProcStat> frozen = new LinkedHashMap<>();
    long roundStart = System.nanoTime();
    for (int round = 0; round < MAX_FREEZE_ROUNDS; round++) {
      boolean fresh = false;
      List<ProcStat> now = members(ProcSnapshots.after(roundStart));
      roundStart = System.nanoTime(); // the next look must begin after these stops were sent
      for (ProcStat p : now) {
        Member m = new Member(p.pid(), p.startTicks());
        if (!frozen.containsKey(m)) {
          fresh = true;
          frozen.put(m, p);
          if (!p.isZombie()) {
            Signaller.send(p.pid(), p.startTicks(), SIGSTOP);
          }
        }
      }
      if (!fresh) {
        break;
      }
    }
    int killed = 0;
    for (ProcStat p : frozen.values()) {
      if (!p.isZombie() && Signaller.send(p.pid(), p.startTicks(), SIGKILL)) {
        killed++;
      }
    }
    awaitGone(frozen.values(), System.nanoTime() + reapTimeout.toNanos());
    return killed;
  }

  private void awaitGone(Iterable<ProcStat> victims, long deadline) {
    Optional<Native> nat = Native.get();
    for (ProcStat v : victims) {
      while (true) {
        Optional<ProcStat> now = ProcFs.stat(v.pid());
        if (now.isEmpty() || now.get().startTicks() != v.startTicks()) {
          break;
        }
        ProcStat s = now.get();
        if (s.isZombie() && s.pid() == leaderPid) {
          break; // the leader's parent reaps it
        }
        long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        if (nat.isEmpty()) {
          if (!s.isZombie() && left > 0) {
            ProcessHandle.of(v.pid()).ifPresent(h -> awaitQuietly(h, left));
            continue;
          }
          break;
        }
        Native n = nat.get();
        if (s.isZombie() && s.ppid() == SELF) {
          if (reap(n, v)) {
            continue;
          }
          break;
        }
        if (left == 0) {
          LOG.debug(
              "process {} of agent tree {} still present ({}), giving up waiting",
              v.pid(),
              leaderPid,
              s.state());
          break;
        }
        // Alive: wait for it to exit. A zombie of another parent: wait for that parent to die or
        // reap it.
        int waitOn = s.isZombie() ? s.ppid() : s.pid();
        if (waitOn <= 1 || !waitFor(n, waitOn, (int) Math.min(left, Integer.MAX_VALUE))) {
          if (s.isZombie() && waitOn <= 1) {
            break; // re-parented to init: its reaper's job
          }
        }
      }
    }
  }

  private static boolean reap(Native n, ProcStat v) {
    return reapZombie(n, v.pid(), v.startTicks());
  }

  /**
   * Reaps the child {@code pid} if it is still the process started at {@code startTicks} and has
   * exited: through a pidfd opened before the start time is checked, so a recycled pid is never
   * reaped.
   */
  static boolean reapZombie(Native n, int pid, long startTicks) {
    Optional<FileDescriptor> opened = n.pidfdOpen(pid);
    if (opened.isEmpty()) {
      return false;
    }
    try (FileDescriptor fd = opened.get()) {
      return ProcFs.stat(pid).map(s -> s.startTicks() == startTicks).orElse(false)
          && !OwnChildren.contains(pid)
          && WaitId.reap(fd).reaped();
    }
  }

  private static boolean waitFor(Native n, int pid, int timeoutMillis) {
    Optional<FileDescriptor> opened = n.pidfdOpen(pid);
    if (opened.isEmpty()) {
      return true; // already gone
    }
    try (FileDescriptor fd = opened.get()) {
      return n.awaitExit(fd, timeoutMillis);
    }
  }

  private static void awaitQuietly(ProcessHandle h, long millis) {
    try {
      h.onExit().get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
