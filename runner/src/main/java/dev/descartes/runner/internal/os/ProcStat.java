package dev.descartes.runner.internal.os;

/**
 * One line of {@code /proc/PID/stat}, the fields the runner uses.
 *
 * @param pid process id
 * @param state the state letter: R, S, D, T, t, Z, X, ...
 * @param ppid parent's pid
 * @param pgid process group
 * @param sid session
 * @param cpuTicks user plus system time, in clock ticks
 * @param startTicks start time in clock ticks since boot: with {@code pid}, a process's identity
 * @param rssPages resident pages
 */
public record ProcStat(
    int pid,
    char state,
    int ppid,
    int pgid,
    int sid,
    long cpuTicks,
    long startTicks,
    long rssPages) {

  public boolean isZombie() {
    return state == 'Z' || state == 'X';
  }

  /**
   * Parses the text of {@code /proc/PID/stat}; the command name may hold spaces and parentheses.
   */
  static ProcStat parse(String text) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException("not a /proc stat line");
    }
    int pid = Integer.parseInt(text.substring(0, open).trim());
    String[] f = text.substring(close + 2).trim().split(" ");
    // f[0] is field 3 (state); field n is f[n - 3]
    return new ProcStat(
        pid,
        f[0].charAt(0),
        Integer.parseInt(f[1]),
        Integer.parseInt(f[2]),
        Integer.parseInt(f[3]),
        Long.parseLong(f[11]) + Long.parseLong(f[12]),
        Long.parseLong(f[19]),
        Long.parseLong(f[21]));
  }
}
