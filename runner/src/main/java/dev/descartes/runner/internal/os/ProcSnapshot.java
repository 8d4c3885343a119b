package dev.descartes.runner.internal.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every process at one moment, indexed by parent, process group, session and agent cookie, so that
 * finding one agent's tree costs the size of the tree, not of {@code /proc}. Cookies (the value of
 * one environment variable) are read once per process, lazily. Thread-safe once built.
 */
public final class ProcSnapshot {

  private final long takenAtNanos;
  private final List<ProcStat> all;
  private final Map<Integer, List<ProcStat>> byParent = new HashMap<>();
  private final Map<Integer, List<ProcStat>> byGroup = new HashMap<>();
  private final Map<Integer, List<ProcStat>> bySession = new HashMap<>();
  private final Map<Integer, ProcStat> byPid = new HashMap<>();
  private volatile Map<String, List<ProcStat>> byCookie;

  ProcSnapshot(long takenAtNanos, List<ProcStat> all) {
    this.takenAtNanos = takenAtNanos;
    this.all = List.copyOf(all);
    for (ProcStat p : all) {
      byPid.put(p.pid(), p);
      byParent.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
      byGroup.computeIfAbsent(p.pgid(), k -> new ArrayList<>()).add(p);
      bySession.computeIfAbsent(p.sid(), k -> new ArrayList<>()).add(p);
    }
  }

  /** When the scan began ({@link System#nanoTime()}). */
  public long takenAtNanos() {
    return takenAtNanos;
  }

  public List<ProcStat> all() {
    return all;
  }

  public ProcStat get(int pid) {
    return byPid.get(pid);
  }

  public List<ProcStat> children(int pid) {
    return byParent.getOrDefault(pid, List.of());
  }

  public List<ProcStat> group(int pgid) {
    return byGroup.getOrDefault(pgid, List.of());
  }

  public List<ProcStat> session(int sid) {
    return bySession.getOrDefault(sid, List.of());
  }

  /** Live processes whose initial environment has {@code name=value}. */
  public List<ProcStat> withCookie(String name, String value) {
    Map<String, List<ProcStat>> m = byCookie;
    if (m == null) {
      synchronized (this) {
        m = byCookie;
        if (m == null) {
          m = readCookies(name);
          byCookie = m;
        }
      }
    }
    return m.getOrDefault(value, List.of());
  }

  private Map<String, List<ProcStat>> readCookies(String name) {
    byte[] key = (name + "=").getBytes(StandardCharsets.US_ASCII);
    Map<String, List<ProcStat>> m = new HashMap<>();
    for (ProcStat p : all) {
      if (p.isZombie()) {
        continue;
      }
      String v = cookie(p.pid(), key);
      if (v != null) {
        m.computeIfAbsent(v, k -> new ArrayList<>()).add(p);
      }
    }
    return m;
  }

  private static String cookie(int pid, byte[] key) {
    byte[] env;
    try {
      env = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
    int i = 0;
    while (i < env.length) {
      int end = i;
      while (end < env.length && env[end] != 0) {
        end++;
      }
      if (end - i > key.length && startsWith(env, i, key)) {
        return new String(env, i + key.length, end - i - key.length, StandardCharsets.US_ASCII);
      }
      i = end + 1;
    }
    return null;
  }

  private static boolean startsWith(byte[] b, int off, byte[] prefix) {
    for (int j = 0; j < prefix.length; j++) {
      if (b[off + j] != prefix[j]) {
        return false;
      }
    }
    return true;
  }
}
