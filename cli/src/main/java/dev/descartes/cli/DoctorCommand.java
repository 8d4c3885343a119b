package dev.descartes.cli;

import dev.descartes.runner.MachineSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code descartes doctor}: what this machine supports (process engines, pidfds, cgroups, user
 * namespaces, bubblewrap, socat, Landlock, seccomp, podman, runc), one line each. Always exits 0:
 * it reports, and what is missing matters only to the features that need it.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description =
        "Prints what this machine supports: engines, pidfd, cgroups, namespaces, sandboxes.")
final class DoctorCommand implements Callable<Integer> {

  private static final String[] HEADER = {"FEATURE", "OK", "DETAIL"};

  @Option(names = "--no-color", description = "No colours, even on a terminal.")
  boolean noColor;

  @Override
  public Integer call() {
    List<String[]> rows = new ArrayList<>();
    for (MachineSupport.Feature f : MachineSupport.detect().features()) {
      rows.add(new String[] {f.name(), f.available() ? "yes" : "no", f.detail()});
    }
    Table.printChecklist(noColor, HEADER, rows, 1);
    return ExitCodes.OK;
  }
}
