package dev.descartes.bench.worker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code key=value} arguments of one workload run: the same vocabulary as the C, Python and
 * Node peers ({@code agents}, {@code cap}, {@code program}, {@code agent}, {@code bytes}, ...).
 */
public record WorkArgs(Map<String, String> values) {

  public WorkArgs {
    values = Map.copyOf(values);
  }

  /** Parses {@code args[from..]}, each {@code key=value}. */
  public static WorkArgs parse(String[] args, int from) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected key=value, got '" + args[i] + "'");
      }
      m.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    return new WorkArgs(m);
  }

  public String get(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing argument " + key + "=...");
    }
    return v;
  }

  public String get(String key, String dflt) {
    return values.getOrDefault(key, dflt);
  }

  public int intValue(String key) {
    return Integer.parseInt(get(key));
  }

  public int intValue(String key, int dflt) {
    return values.containsKey(key) ? intValue(key) : dflt;
  }

  public long longValue(String key) {
    return Long.parseLong(get(key));
  }

  public long longValue(String key, long dflt) {
    return values.containsKey(key) ? longValue(key) : dflt;
  }

  public boolean flag(String key) {
    return "1".equals(values.get(key)) || "true".equals(values.get(key));
  }
}
