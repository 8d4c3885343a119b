package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The exported package's public signatures, compared with the checked-in {@code
 * runner/api/descartes-runner.api}: a change to the API fails here until that file is updated with
 * the change, so every API change shows in review. After a deliberate change, update it with {@code
 * ./mvnw -pl runner test -Dtest=ApiSignatureTest -Ddescartes.api.update=true
 * -Ddescartes.test.native.skip} and commit the file.
 */
class ApiSignatureTest {

  private static final Path API_FILE = Path.of("api/descartes-runner.api");

  @Test
  void theExportedApiMatchesTheCheckedInDescription() throws Exception {
    String actual = render();
    if (Boolean.getBoolean("descartes.api.update")) {
      Files.writeString(API_FILE, actual);
    }
    assertThat(Files.exists(API_FILE))
        .as(API_FILE.toAbsolutePath() + " is missing; create it with -Ddescartes.api.update=true")
        .isTrue();
    assertThat(actual)
        .as(
            "the public API changed; if on purpose, run ./mvnw -pl runner test "
                + "-Dtest=ApiSignatureTest -Ddescartes.api.update=true -Ddescartes.test.native.skip "
                + "and commit runner/api/descartes-runner.api")
        .isEqualTo(Files.readString(API_FILE));
  }

  /** Every public type of the exported package, one block each, in name order. */
  static String render() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes =
        Path.of(AgentHandle.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("dev/descartes/runner");
    List<String> names;
    try (Stream<Path> files = Files.list(classes)) {
      names =
          files
              .map(p -> p.getFileName().toString())
              .filter(
                  n -> n.endsWith(".class") && !n.contains("$") && !n.equals("package-info.class"))
              .map(n -> "dev.descartes.runner." + n.substring(0, n.length() - ".class".length()))
              .sorted()
              .toList();
    }
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      Class<?> c = Class.forName(name, false, ApiSignatureTest.class.getClassLoader());
      if (Modifier.isPublic(c.getModifiers())) {
        renderType(c, out);
      }
    }
    return out.toString();
  }

  private static void renderType(Class<?> c, StringBuilder out) {
    out.append(header(c)).append(" {\n");
    List<String> members = new ArrayList<>();
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        members.add(f.toGenericString());
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers()) && !k.isSynthetic()) {
        members.add(k.toGenericString());
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        members.add(m.toGenericString());
      }
    }
    String own = c.getName() + ".";
    members.stream()
        .map(m -> m.replace(own, ""))
        .sorted()
        .forEach(m -> out.append("  ").append(m).append('\n'));
    out.append("}\n");
    Arrays.stream(c.getDeclaredClasses())
        .filter(n -> visible(n.getModifiers()))
        .sorted((a, b) -> a.getName().compareTo(b.getName()))
        .forEach(n -> renderType(n, out));
  }

  private static String header(Class<?> c) {
    StringBuilder h = new StringBuilder(c.toGenericString());
    if (c.getGenericSuperclass() != null
        && c.getSuperclass() != Object.class
        && !c.isEnum()
        && !c.isRecord()) {
      h.append(" extends ").append(c.getGenericSuperclass().getTypeName());
    }
    if (c.getGenericInterfaces().length > 0) {
      h.append(c.isInterface() ? " extends " : " implements ")
          .append(
              String.join(
                  ", ",
                  Arrays.stream(c.getGenericInterfaces()).map(t -> t.getTypeName()).toList()));
    }
    if (c.isSealed()) {
      h.append(" permits ")
          .append(
              String.join(
                  ", ",
                  Arrays.stream(c.getPermittedSubclasses()).map(Class::getName).sorted().toList()));
    }
    return h.toString();
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }
}
