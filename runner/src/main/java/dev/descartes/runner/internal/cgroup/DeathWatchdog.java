package dev.descartes.runner.internal.cgroup;

import dev.descartes.runner.internal.os.OwnChildren;
import dev.descartes.runner.internal.os.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guarantee that agents die with the runner: a small {@code /bin/sh} process, in a session of
 * its own and deaf to SIGINT, SIGTERM, SIGHUP and SIGQUIT, whose stdin is a pipe from this JVM.
 * Nothing is ever written to it; when the JVM ends in any way (exit, SIGKILL, the OOM killer) the
 * kernel closes the write end, {@code read} returns end of file, and the watchdog kills every
 * process in this JVM's cgroup scope (v2: {@code cgroup.kill} on the scope, which kills every group
 * below it; v1: freeze the scope, SIGKILL each member, thaw), then removes the scope. One per JVM,
 * started with the scope; it costs nothing per agent. Thread-safe.
 */
final class DeathWatchdog {

  private static final Logger LOG = LoggerFactory.getLogger(DeathWatchdog.class);

  /** $1 = v1|v2, $2 = the group whose kill stops everything, $3... = the scopes to remove. */
  private static final String SCRIPT =
      """
      trap '' INT TERM HUP QUIT PIPE
      while read -r _; do :; done
      mode=$1; top=$2; shift 2
      if [ "$mode" = v2 ]; then
        echo 1 > "$top/cgroup.kill"
      else
        echo FROZEN > "$top/freezer.state"
        n=0
        while [ "$(cat "$top/freezer.state")" != FROZEN ] && [ $n -lt 2000 ]; do n=$((n+1)); done
        for f in "$top/cgroup.procs" "$top"/*/cgroup.procs; do
          [ -f "$f" ] || continue
          for p in $(cat "$f"); do kill -9 "$p" 2>/dev/null; done
        done
        echo THAWED > "$top/freezer.state"
      fi
      for d in "$@"; do
        i=0
        while [ -d "$d" ] && [ $i -lt 300 ]; do
          for g in "$d"/*/; do [ -d "$g" ] && rmdir "$g" 2>/dev/null; done
          rmdir "$d" 2>/dev/null || sleep 0.01
          i=$((i+1))
        done
      done
      """;

  /** Held for the JVM's lifetime: the pipe's write end closes when the JVM ends. */
  private final Process process;

  @SuppressWarnings("unused")
  private final OutputStream pipe;

  private DeathWatchdog(Process process) {
    this.process = process;
    this.pipe = process.getOutputStream();
  }

  static Optional<DeathWatchdog> start(CgroupSupport.Mode mode, Path killDir, List<Path> scopes) {
    Path sh = Path.of("/bin/sh");
    if (!Files.isExecutable(sh)) {
      return Optional.empty();
    }
    List<String> argv = new ArrayList<>();
    Platform.setsid().ifPresent(p -> argv.add(p.toString()));
    argv.addAll(
        List.of(
            sh.toString(),
            "-c",
            SCRIPT,
            "descartes-watchdog",
            mode == CgroupSupport.Mode.V1 ? "v1" : "v2",
            killDir.toString()));
    scopes.forEach(s -> argv.add(s.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .directory(Path.of("/").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().retainAll(List.of("PATH"));
    try {
      Process p = pb.start();
      OwnChildren.started(p.pid());
      LOG.debug("death watchdog {} guards {}", p.pid(), scopes);
      return Optional.of(new DeathWatchdog(p));
    } catch (IOException e) {
      LOG.warn("cannot start the watchdog that kills agents when this JVM dies: {}", e.toString());
      return Optional.empty();
    }
  }
}
