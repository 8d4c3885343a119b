package dev.descartes.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.descartes.cli.Node.Entry;
import dev.descartes.cli.Node.ListNode;
import dev.descartes.cli.Node.MapNode;
import dev.descartes.cli.Node.Pos;
import dev.descartes.cli.Node.Scalar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses the text of a YAML or TOML file into {@link Node}s with their places. What YAML allows but
 * a fleet file cannot mean is refused here, with the place and the fix: a second document, a
 * duplicate key, an alias ({@code *name}). Syntax errors come with a hint in plain words instead of
 * the parser's jargon (bad indentation, a tab, an unclosed quote or bracket).
 */
final class Tree {

  private final String file;
  private final boolean yaml;

  /**
   * TOML only (its parser gives no places): the place of each dotted key's value, found by a scan.
   */
  private final Map<String, Pos> tomlPlaces;

  private Tree(String file, boolean yaml, String text) {
    this.file = file;
    this.yaml = yaml;
    this.tomlPlaces = yaml ? Map.of() : tomlPlaces(text, file);
  }

  /**
   * The root node, or empty when the file holds nothing (or only comments).
   *
   * @throws InputError at the first syntax error
   */
  static Optional<Node> parse(String text, String file, boolean toml) {
    return new Tree(file, !toml, text).parse(text, toml ? new TomlFactory() : new YAMLFactory());
  }

  private Optional<Node> parse(String text, JsonFactory factory) {
    try (JsonParser p = factory.createParser(text)) {
      if (p.nextToken() == null) {
        return Optional.empty();
      }
      Node root = read(p, "");
      if (p.nextToken() != null) {
        throw InputError.data(
            pos(p.currentTokenLocation()).toString(),
            "a second YAML document (after a '---' line); a fleet file holds one",
            "remove the '---' line and what follows, or put the second fleet in a file of its own");
      }
      return Optional.of(root);
    } catch (StreamReadException e) {
      throw syntax(e);
    } catch (IOException e) {
      throw InputError.data(file, "cannot parse it: " + e.getMessage(), "check the file's syntax");
    }
  }

  private Node read(JsonParser p, String path) throws IOException {
    Pos at =
        yaml ? pos(p.currentTokenLocation()) : tomlPlaces.getOrDefault(path, new Pos(file, 0, 0));
    JsonToken t = p.currentToken();
    if (yaml && p instanceof YAMLParser y && y.isCurrentAlias()) {
      throw InputError.data(
          at.toString(),
          "a YAML alias (*" + p.getText() + ") is not supported in a fleet file",
          "write the value out in full where the alias stands");
    }
    return switch (t) {
      case START_OBJECT -> {
        LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
        for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
          String key = p.currentName();
          String keyPath = path.isEmpty() ? key : path + "." + key;
          Pos keyAt =
              yaml ? pos(p.currentTokenLocation()) : tomlPlaces.getOrDefault(keyPath + "=", at);
          p.nextToken();
          Node value = read(p, keyPath);
          Entry old = entries.putIfAbsent(key, new Entry(keyAt, value));
          if (old != null) {
            throw InputError.data(
                keyAt.toString(),
                "duplicate key '" + key + "' (first at line " + old.keyAt().line() + ")",
                "each key may appear once in a mapping: remove or rename one");
          }
        }
        yield new MapNode(at, entries);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
          items.add(read(p, path + "[" + items.size() + "]"));
        }
        yield new ListNode(at, items);
      }
      case VALUE_NULL -> new Scalar(at, t, "");
      default -> new Scalar(at, t, p.getText());
    };
  }

  /**
   * Where each key of a TOML file stands ({@code path=}) and where its value starts ({@code path}),
   * from {@code [table]} headers and {@code key = value} lines; good enough to point at the line of
   * a problem (a key inside an inline table points at the line of its table's key).
   */
  private static Map<String, Pos> tomlPlaces(String text, String file) {
    Map<String, Pos> places = new HashMap<>();
    String table = "";
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String t = line.strip();
      int indent = line.indexOf(t.isEmpty() ? " " : t.substring(0, 1)) + 1;
      if (t.startsWith("[") && !t.startsWith("[[")) {
        table = t.substring(1, Math.max(1, t.indexOf(']'))).strip().replace("\"", "");
        places.put(table, new Pos(file, i + 1, indent));
        places.putIfAbsent(table + "=", new Pos(file, i + 1, indent));
      } else if (!t.startsWith("#") && t.contains("=")) {
        String key = t.substring(0, t.indexOf('=')).strip().replace("\"", "");
        String path = table.isEmpty() ? key : table + "." + key;
        int eq = line.indexOf('=');
        int value = eq + 1;
        while (value < line.length() && line.charAt(value) == ' ') {
          value++;
        }
        places.put(path + "=", new Pos(file, i + 1, indent));
        places.put(path, new Pos(file, i + 1, value + 1));
      }
    }
    return places;
  }

  private Pos pos(JsonLocation loc) {
    return loc == null
        ? new Pos(file, 0, 0)
        : new Pos(file, Math.max(0, loc.getLineNr()), loc.getColumnNr());
  }

  private InputError syntax(StreamReadException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException y && y.getProblemMark() != null) {
        return yamlSyntax(y);
      }
    }
    String m = firstLine(e.getOriginalMessage());
    String lang = yaml ? "YAML" : "TOML";
    return InputError.data(
        pos(e.getLocation()).toString(),
        "invalid " + lang + ": " + m,
        "fix the syntax at this place"
            + (yaml ? "" : " (TOML: key = \"value\", [agents.name] tables)"));
  }

  private InputError yamlSyntax(MarkedYAMLException y) {
    Mark at = y.getProblemMark();
    String where = file + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1);
    String problem = y.getProblem() == null ? "" : y.getProblem();
    Mark ctx = y.getContextMark();
    String context = y.getContext() == null ? "" : y.getContext();
    String ctxLine =
        ctx == null
            ? ""
            : " (the "
                + (context.contains("quoted")
                    ? "quote opens"
                    : (context.contains("sequence") ? "list" : "mapping") + " starts")
                + " at line "
                + (ctx.getLine() + 1)
                + ", column "
                + (ctx.getColumn() + 1)
                + ")";
    if (problem.contains("(TAB)") || problem.contains("'\\t'")) {
      return InputError.data(
          where, "a tab character; YAML indents with spaces only", "replace the tab with spaces");
    }
    if (problem.startsWith("expected <block end>")
        || problem.contains("expected <block sequence end>")) {
      return InputError.data(
          where,
          "bad indentation: this line is indented differently from the lines"
              + " it belongs with"
              + ctxLine,
          "indent the keys of one mapping (and the items of one list) by"
              + " the same number of spaces, and nested keys by more than their parent");
    }
    if (problem.startsWith("mapping values are not allowed")) {
      return InputError.data(
          where,
          "a ':' where YAML cannot take one: a value with ': ' in it, or a key"
              + " indented under a plain value",
          "put quotes around a value that contains ': ', or fix the" + " indentation of the line");
    }
    if (problem.startsWith("could not find expected ':'")) {
      return InputError.data(
          where,
          "a line that is neither 'key: value' nor a list item '- value'" + ctxLine,
          "write 'key: value' (with a space after the colon), or fix the indentation");
    }
    if (problem.contains("expected ',' or ']'") || problem.contains("expected ',' or '}'")) {
      String close = problem.contains("']'") ? "]" : "}";
      return InputError.data(
          where,
          "a '" + (close.equals("]") ? "[" : "{") + "' that is not closed" + ctxLine,
          "close it with '" + close + "' (and separate items with ', ')");
    }
    if (problem.contains("end of stream")
        && y.getContext() != null
        && y.getContext().contains("quoted")) {
      return InputError.data(
          where,
          "a quoted string that is not closed" + ctxLine,
          "close the quote, or write a long text as a block: key: |, then the text indented below");
    }
    if (problem.contains("found undefined alias") || problem.contains("found undefined anchor")) {
      return InputError.data(
          where,
          "a YAML alias (*name) is not supported in a fleet file",
          "write the value out in full; a value that starts with '*' needs quotes");
    }
    if (problem.contains("found character '@'") || problem.contains("found character '`'")) {
      return InputError.data(
          where,
          "a value that starts with "
              + problem.replaceAll(".*found character ('.').*", "$1")
              + ", which YAML reserves",
          "put quotes around the value");
    }
    return InputError.data(
        where,
        "invalid YAML: " + problem + ctxLine,
        "fix the syntax at this place (a value with special characters such as ': ', '#', '*' or '&' needs quotes)");
  }

  private static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }
}
