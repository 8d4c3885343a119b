package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kill that cannot be carried out is an error, never a silent return: in a runner JVM that has
 * used up every file descriptor it may open, {@code kill()} throws {@link
 * AgentException.KillFailed} and the agent's status is {@link AgentStatus#KILL_FAILED}; once
 * descriptors are free again, a second kill works.
 */
@ExtendWith(LeakCheck.class)
class KillFailureTest {

  @Test
  void aKillAtTheDescriptorLimitThrowsAndTheStatusSaysSo() throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "-Ddescartes.engine=" + TestRunners.engine().name().toLowerCase(),
                ExhaustedMain.class.getName()));
    Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(jvm.getInputStream().readAllBytes());
    assertThat(jvm.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(out)
        .as(out)
        .contains("first kill: KillFailed")
        .contains("status after the failed kill: KILL_FAILED")
        .contains("second kill: TERMINATED");
    assertThat(jvm.exitValue()).as(out).isZero();
  }

  /** The runner JVM: spawns an agent, uses up its descriptors, kills, frees them, kills again. */
  public static final class ExhaustedMain {
    public static void main(String[] args) throws Exception {
      try (var runner =
          new LocalProcessRunner(
              TestRunners.config().enableHealthChecks(false).killOrphansOnExit(true).build())) {
        // a first agent, killed normally, loads every class the kill path needs
        AgentHandle warm =
            runner.spawn(AgentConfig.builder().name("warm").command("sleep", "300").build());
        warm.kill();
        warm.waitFor();
        new AgentException.KillFailed("preload").getMessage();
        AgentHandle h =
            runner.spawn(AgentConfig.builder().name("victim").command("sleep", "300").build());
        List<FileInputStream> hog = new ArrayList<>();
        String first;
        AgentStatus after;
        try {
          while (true) {
            hog.add(new FileInputStream("/dev/null"));
          }
        } catch (IOException exhausted) {
          // every descriptor is in use
        }
        try {
          h.kill();
          first = "returned";
        } catch (AgentException.KillFailed e) {
          first = "KillFailed";
        }
        after = h.status();
        for (FileInputStream f : hog) {
          f.close();
        }
        System.out.println("first kill: " + first);
        System.out.println("status after the failed kill: " + after);
        h.kill();
        h.waitFor();
        System.out.println("second kill: " + h.status());
      }
    }
  }
}
