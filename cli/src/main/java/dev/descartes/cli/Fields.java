package dev.descartes.cli;

import com.fasterxml.jackson.core.JsonToken;
import dev.descartes.cli.Node.Entry;
import dev.descartes.cli.Node.ListNode;
import dev.descartes.cli.Node.MapNode;
import dev.descartes.cli.Node.Scalar;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads the fields of one mapping of a fleet file. Each getter returns the value, or empty when the
 * field is absent or wrong; a wrong value is added to the {@link Problems} with its {@code
 * file:line:column}, what is wrong and the fix, and reading goes on, so that every problem of every
 * agent is reported at once. {@link #done()} reports the fields no getter asked for, with the
 * closest known name. How to add a field: docs/cli-errors.md. Not thread-safe.
 */
final class Fields {

  /** A value of the right type but wrong content: its message is what is wrong, and the fix. */
  static final class Bad extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String what;
    final String fix;

    Bad(String what, String fix) {
      super(what, null, false, false);
      this.what = what;
      this.fix = fix;
    }
  }

  private final MapNode map;
  private final String path;
  private final String describe;
  private final Problems problems;
  private final Set<String> known = new LinkedHashSet<>();

  /**
   * @param path the mapping's path in the file, such as {@code agents.web}; empty for the top
   * @param describe what the mapping is, for messages: "an agent", "stop"
   */
  Fields(MapNode map, String path, String describe, Problems problems) {
    this.map = map;
    this.path = path;
    this.describe = describe;
    this.problems = problems;
  }

  /**
   * {@code node} as a mapping, or empty after adding a problem that says what {@code expected} is.
   */
  static Optional<Fields> of(
      Node node, String path, String describe, String expected, Problems problems) {
    if (node instanceof MapNode m) {
      return Optional.of(new Fields(m, path, describe, problems));
    }
    problems.add(
        Problem.Kind.DATA,
        node.at().toString(),
        (path.isEmpty() ? "the file" : path) + " is " + node.kind() + ", not a mapping",
        expected);
    return Optional.empty();
  }

  MapNode node() {
    return map;
  }

  String path() {
    return path;
  }

  /** The dotted name of field {@code name}, for messages. */
  String name(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Where field {@code name}'s value starts, or the mapping when it is absent. */
  Node.Pos at(String name) {
    Entry e = map.entries().get(name);
    return e == null ? map.at() : e.value().at();
  }

  boolean has(String name) {
    known.add(name);
    return map.entries().containsKey(name);
  }

  /** Field {@code name}'s node, if present (and then remembered as known). */
  Optional<Node> node(String name) {
    known.add(name);
    return Optional.ofNullable(map.entries().get(name)).map(Entry::value);
  }

  /** Adds a problem about field {@code name}. */
  void problem(String name, Problem.Kind kind, String what, String fix) {
    problems.add(kind, at(name).toString(), name(name) + ": " + what, fix);
  }

  /**
   * Field {@code name} read by {@code read}, which throws {@link Bad} for a wrong value. The
   * generic getter every other one is built on: use it for a field of a new type.
   */
  <T> Optional<T> get(String name, Function<Node, T> read) {
    return node(name)
        .flatMap(
            n -> {
              try {
                return Optional.ofNullable(read.apply(n));
              } catch (Bad b) {
                problems.add(
                    Problem.Kind.DATA, n.at().toString(), name(name) + ": " + b.what, b.fix);
                return Optional.empty();
              }
            });
  }

  /** A scalar as text (numbers and booleans as written); empty text is refused. */
  Optional<String> text(String name) {
    return get(name, n -> text(n, "give a text, such as " + name + ": some words"));
  }

  /** A non-blank scalar as text; {@code fix} says what to write. */
  Optional<String> text(String name, String fix) {
    return get(name, n -> text(n, fix));
  }

  static String text(Node n, String fix) {
    if (!(n instanceof Scalar s)) {
      throw new Bad("is " + n.kind() + ", not a text", fix);
    }
    if (s.isNull() || s.text().isBlank()) {
      throw new Bad("is empty", fix);
    }
    return s.text();
  }

  /** A whole number from {@code min} to {@code max}. */
  Optional<Integer> integer(String name, int min, int max, String fix) {
    return get(name, n -> integer(n, min, max, fix));
  }

  static int integer(Node n, int min, int max, String fix) {
    if (!(n instanceof Scalar s) || s.isNull()) {
      throw new Bad("is " + n.kind() + ", not a whole number", fix);
    }
    BigDecimal d;
    try {
      d = new BigDecimal(s.text().strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new Bad("'" + s.text() + "' is not a whole number", fix);
    }
    if (d.stripTrailingZeros().scale() > 0) {
      throw new Bad(s.text() + " is not a whole number", fix);
    }
    if (d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new Bad(s.text() + " is too large: the most is " + max, fix);
    }
    if (d.compareTo(BigDecimal.valueOf(min)) < 0) {
      throw new Bad(s.text() + " is too small: the least is " + min, fix);
    }
    return d.intValueExact();
  }

  /**
   * {@code true} or {@code false} (YAML's yes/no/on/off are refused: they mean different things in
   * different YAML versions).
   */
  Optional<Boolean> bool(String name) {
    return get(
        name,
        n -> {
          if (n instanceof Scalar s
              && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)) {
            return s.token() == JsonToken.VALUE_TRUE;
          }
          throw new Bad(
              (n instanceof Scalar s && !s.isNull()
                      ? "'" + s.text() + "' is not"
                      : "is " + n.kind() + ", not")
                  + " true or false",
              "write " + name + ": true or " + name + ": false");
        });
  }

  /** A duration such as {@code 5s}, from {@code min} to {@code max}. */
  Optional<Duration> duration(String name, Duration min, Duration max) {
    return get(
        name,
        n -> {
          String fix =
              "write it like 500ms, 5s, 1m30s or 2h (from "
                  + Durations.format(min)
                  + " to "
                  + Durations.format(max)
                  + ")";
          String t = text(n, fix);
          Duration d;
          try {
            d = Durations.parse(t);
          } catch (IllegalArgumentException | ArithmeticException e) {
            throw new Bad("'" + t + "' is not a duration", fix);
          }
          if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new Bad(t + " is out of range", fix);
          }
          return d;
        });
  }

  /** A list of texts (each element one argument). */
  Optional<List<String>> texts(String name, String fix) {
    return get(
        name,
        n -> {
          if (!(n instanceof ListNode l)) {
            throw new Bad("is " + n.kind() + ", not a list", fix);
          }
          List<String> out = new ArrayList<>();
          for (Node item : l.items()) {
            if (!(item instanceof Scalar s) || s.isNull()) {
              throw new Bad(
                  "item " + (out.size() + 1) + " is " + item.kind() + ", not a text", fix);
            }
            out.add(s.text());
          }
          return out;
        });
  }

  /** A mapping of names to texts (numbers and booleans as written). */
  Optional<Map<String, String>> textMap(String name, String fix) {
    return get(
        name,
        n -> {
          if (!(n instanceof MapNode m)) {
            throw new Bad("is " + n.kind() + ", not a mapping of names to values", fix);
          }
          Map<String, String> out = new LinkedHashMap<>();
          for (Map.Entry<String, Entry> e : m.entries().entrySet()) {
            if (!(e.getValue().value() instanceof Scalar s)) {
              throw new Bad(
                  e.getKey() + " is " + e.getValue().value().kind() + ", not a value", fix);
            }
            out.put(e.getKey(), s.text());
          }
          return out;
        });
  }

  /** A nested mapping, read by its own {@link Fields} (call {@link #done()} on it too). */
  Optional<Fields> map(String name, String describe, String expected) {
    return node(name).flatMap(n -> of(n, name(name), describe, expected, problems));
  }

  /** Reports every field of the mapping that no getter asked for, with the closest known name. */
  void done() {
    for (Map.Entry<String, Entry> e : map.entries().entrySet()) {
      if (!known.contains(e.getKey())) {
        String close = closest(e.getKey());
        problems.add(
            Problem.Kind.DATA,
            e.getValue().keyAt().toString(),
            "unknown field '" + e.getKey() + "' in " + describe,
            (close != null ? "did you mean '" + close + "'? " : "")
                + "the fields of "
                + describe
                + " are: "
                + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private String closest(String name) {
    return Spelling.closest(name, known).orElse(null);
  }
}
