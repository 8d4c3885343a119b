package dev.descartes.runner.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.descartes.runner.LocalProcessRunner;
import dev.descartes.runner.ProcessRunnerConfig;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.TestRunners;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Which engine a runner gets, with and without native access. */
@ExtendWith(LeakCheck.class)
class EngineSelectionTest {

  @Test
  void autoPicksTheNativeEngineOnLinuxWhenNativeAccessIsEnabled() {
    try (LocalProcessRunner runner =
        TestRunners.runner(TestRunners.config().engine(ProcessRunnerConfig.Engine.AUTO))) {
      assertThat(runner.engineName()).isEqualTo("native");
    }
  }

  @Test
  void eitherEngineCanBeChosen() {
    try (LocalProcessRunner jdk =
            TestRunners.runner(TestRunners.config().engine(ProcessRunnerConfig.Engine.JDK));
        LocalProcessRunner nat =
            TestRunners.runner(TestRunners.config().engine(ProcessRunnerConfig.Engine.NATIVE))) {
      assertThat(jdk.engineName()).isEqualTo("jdk");
      assertThat(nat.engineName()).isEqualTo("native");
    }
  }

  @Test
  void withoutNativeAccessAutoFallsBackToTheJdkEngineWithOneWarningAndNoJvmWarning()
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(EngineProbe.class.getName());
    Process jvm = new ProcessBuilder(cmd).start();
    jvm.getOutputStream().close();
    var err = jvm.getErrorStream().readAllBytes();
    String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String log = new String(err, StandardCharsets.UTF_8);

    assertThat(jvm.exitValue()).as(log).isZero();
    assertThat(out).contains("auto=jdk", "agent=exit 3", "native=refused engine");
    List<String> warnings = log.lines().filter(l -> l.contains("WARN")).toList();
    assertThat(warnings).as(log).hasSize(1);
    assertThat(warnings.getFirst()).contains("--enable-native-access=ALL-UNNAMED");
    assertThat(log).doesNotContain("restricted method");
  }
}
