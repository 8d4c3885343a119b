package dev.descartes.runner.testing;

import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.internal.cgroup.CgroupSupport;
import dev.descartes.runner.internal.cgroup.JvmCgroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What tests need to see of agents' cgroups and of processes marked for them. */
public final class Cgroups {

  private Cgroups() {}

  /** Whether this machine gives agents cgroups (else the tests that need them are skipped). */
  public static boolean available() {
    return CgroupSupport.detect().mode() != CgroupSupport.Mode.NONE && JvmCgroups.get().isPresent();
  }

  /**
   * The agent's group in the hierarchy of {@code controller} ({@code ""} for v2, or the freezer).
   */
  public static Optional<Path> group(AgentHandle agent, String controller) {
    for (Path scope : JvmCgroups.get().orElseThrow().scopes()) {
      Path g = scope.resolve(agent.id().toString());
      boolean match =
          controller.isEmpty()
              || scope.toString().contains("/" + controller + "/")
              || scope.toString().contains("," + controller)
              || scope.toString().contains(controller + ",");
      if (match && Files.isDirectory(g)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  public static long number(Path file) throws IOException {
    return Long.parseLong(Files.readString(file).trim().split("\\s+")[0]);
  }

  /** Live (not zombie) processes whose command line contains {@code marker}. */
  public static List<Long> marked(String marker) {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)
            || name.equals(Long.toString(ProcessHandle.current().pid()))) {
          continue;
        }
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          String stat = Files.readString(p.resolve("stat"));
          char state = stat.charAt(stat.lastIndexOf(')') + 2);
          if (state != 'Z' && cmd.contains(marker)) {
            out.add(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException gone) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
