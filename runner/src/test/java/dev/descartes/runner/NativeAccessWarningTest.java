package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An application without native access and without an SLF4J provider still learns, once, on stderr,
 * that the runner fell back to the JDK's process API and how to enable native access (SLF4J without
 * a provider drops every log line).
 */
class NativeAccessWarningTest {

  @TempDir Path dir;

  @Test
  void withoutAnSlf4jProviderTheFallbackWarningGoesToStderrOnce() throws Exception {
    Path app =
        Files.writeString(
            dir.resolve("App.java"),
            """
        public class App {
          public static void main(String[] args) {
            try (var r = new dev.descartes.runner.LocalProcessRunner()) {
              System.out.println("engine " + r.engineName());
            }
            try (var r = new dev.descartes.runner.LocalProcessRunner()) {
              System.out.println("engine " + r.engineName());
            }
          }
        }
        """);
    // the runner and what it needs, and no SLF4J provider (slf4j-simple is on the tests' class
    // path)
    String classPath =
        Stream.of(
                LocalProcessRunner.class,
                LoggerFactory.class,
                ObjectMapper.class,
                JsonParser.class,
                JsonAutoDetect.class)
            .map(NativeAccessWarningTest::location)
            .collect(Collectors.joining(File.pathSeparator));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classPath,
                app.toString())
            .redirectOutput(dir.resolve("out").toFile())
            .redirectError(dir.resolve("err").toFile())
            .start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();

    String out = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
    List<String> warnings =
        Files.readAllLines(dir.resolve("err")).stream()
            .filter(l -> l.startsWith("WARNING: Native access is not enabled"))
            .toList();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("engine jdk");
    assertThat(warnings).hasSize(1);
    assertThat(warnings.getFirst()).contains("--enable-native-access=ALL-UNNAMED (class path)");
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
