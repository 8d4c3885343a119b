package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The library as a named module: a small program of its own module, on the module path with the
 * runner and its dependencies only, spawns {@code true} and reads its exit. Catches a broken {@code
 * module-info} (a package used reflectively but not opened, a missing {@code requires}, a service
 * not declared) that the class-path tests cannot see.
 */
class ModulePathSmokeTest {

  @TempDir Path dir;

  @Test
  void aProgramOnTheModulePathSpawnsAProcessAndReadsItsExit() throws Exception {
    Path src = dir.resolve("src/smoke");
    Files.createDirectories(src.resolve("smoke"));
    Files.writeString(
        src.resolve("module-info.java"), "module smoke { requires dev.descartes.runner; }\n");
    Files.writeString(
        src.resolve("smoke/Main.java"),
        """
        package smoke;

        import dev.descartes.runner.*;

        public class Main {
          public static void main(String[] args) throws Exception {
            ProcessRunnerConfig config = ProcessRunnerConfig.builder().shutdownHook(false).build();
            try (LocalProcessRunner runner = new LocalProcessRunner(config)) {
              AgentHandle h = runner.spawn(AgentConfig.builder().name("smoke").command("true").build());
              System.out.println("module=" + LocalProcessRunner.class.getModule().getName()
                  + " engine=" + runner.engineName() + " exit=" + h.waitFor().code().orElse(-1));
            }
          }
        }
        """);
    String modulePath =
        String.join(
            File.pathSeparator,
            List.of(
                location(AgentHandle.class),
                location(JsonNode.class),
                location(JsonParser.class),
                location(JsonProperty.class),
                location(LoggerFactory.class)));
    Path out = dir.resolve("out");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc =
        javac.run(
            null,
            null,
            null,
            "-d",
            out.toString(),
            "--module-path",
            modulePath,
            src.resolve("module-info.java").toString(),
            src.resolve("smoke/Main.java").toString());
    assertThat(rc).as("javac of the smoke module").isZero();

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "--enable-native-access=dev.descartes.runner",
                "--module-path",
                modulePath + File.pathSeparator + out,
                "-m",
                "smoke/smoke.Main")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the smoke program ends").isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("module=dev.descartes.runner")
        .contains("exit=0")
        .doesNotContain("falling back");
  }

  private static String location(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
