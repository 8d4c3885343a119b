package dev.descartes.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentOutcome;
import dev.descartes.runner.AgentStatus;
import dev.descartes.runner.ExitStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every agent run of the daemon, in an SQLite database ({@code history.db} in the data dir): the
 * config with environment values redacted, each status change, and the outcome (success, result,
 * error, cost, tokens, turns, session id, exit status, timings, transcript path).
 *
 * <p>Thread-safe: one connection, one statement at a time.
 */
final class History implements AutoCloseable {

  /** A status the runner has no name for: the run was alive when its daemon died. */
  static final String LOST = "lost";

  private static final List<String> ALIVE = List.of("starting", "running", "paused", "stopping");

  private final Connection db;
  private final ReentrantLock lock = new ReentrantLock();

  History(Path file) throws SQLException {
    db = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = db.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("PRAGMA foreign_keys=ON");
      s.execute("PRAGMA busy_timeout=5000");
    }
    Migrations.apply(db);
  }

  /** A run that was alive at the crash of an earlier daemon: its id and pid. */
  record Orphan(String id, long pid, long daemonPid) {}

  /** Runs recorded alive by a daemon other than this one (which has crashed). */
  List<Orphan> alive() {
    return locked(
        () -> {
          List<Orphan> out = new ArrayList<>();
          try (PreparedStatement s =
              db.prepareStatement(
                  "SELECT id, pid, daemon_pid FROM runs WHERE status IN "
                      + "('starting','running','paused','stopping')")) {
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(new Orphan(rs.getString(1), rs.getLong(2), rs.getLong(3)));
              }
            }
          }
          return out;
        });
  }

  /** Marks a run alive at a crash as {@code lost}, with the reason. */
  void markLost(String id, String reason, Instant at) {
    locked(
        () -> {
          try (PreparedStatement s =
              db.prepareStatement(
                  "UPDATE runs SET status = 'lost', lost_reason = ?, ended_at = COALESCE(ended_at, ?) WHERE id = ?")) {
            s.setString(1, reason);
            s.setString(2, at.toString());
            s.setString(3, id);
            s.executeUpdate();
          }
          statusChange(id, LOST, at);
          return null;
        });
  }

  /** Records a new run, before it is spawned. */
  void created(String id, AgentConfig config, Instant at) {
    locked(
        () -> {
          try (PreparedStatement s =
              db.prepareStatement(
                  "INSERT INTO runs (id, name, backend, model, task, config, "
                      + "status, created_at, daemon_pid) VALUES (?, ?, ?, ?, ?, ?, 'starting', ?, ?)")) {
            s.setString(1, id);
            s.setString(2, config.name());
            s.setString(3, backendOf(config));
            s.setString(4, config.model().orElse(null));
            s.setString(5, config.task());
            s.setString(6, redacted(config).toString());
            s.setString(7, at.toString());
            s.setLong(8, ProcessHandle.current().pid());
            s.executeUpdate();
          }
          statusChange(id, "starting", at);
          return null;
        });
  }

  /** The run's process started. */
  void started(String id, long pid, Instant at, Optional<Path> transcript) {
    locked(
        () -> {
          try (PreparedStatement s =
              db.prepareStatement(
                  "UPDATE runs SET status = 'running', pid = ?, started_at = ?, transcript_path = ? WHERE id = ?")) {
            s.setLong(1, pid);
            s.setString(2, at.toString());
            s.setString(3, transcript.map(Path::toString).orElse(null));
            s.setString(4, id);
            s.executeUpdate();
          }
          statusChange(id, "running", at);
          return null;
        });
  }

  /** A status change other than start and end (paused, stopping...). */
  void status(String id, String status, Instant at) {
    locked(
        () -> {
          try (PreparedStatement s =
              db.prepareStatement("UPDATE runs SET status = ? WHERE id = ? AND ended_at IS NULL")) {
            s.setString(1, status);
            s.setString(2, id);
            s.executeUpdate();
          }
          statusChange(id, status, at);
          return null;
        });
  }

  /** A spawn that failed: the run ended before it began. */
  void spawnFailed(String id, String error, Instant at) {
    locked(
        () -> {
          try (PreparedStatement s =
              db.prepareStatement(
                  "UPDATE runs SET status = 'failed', error = ?, ended_at = ?, success = 0 WHERE id = ?")) {
            s.setString(1, error);
            s.setString(2, at.toString());
            s.setString(3, id);
            s.executeUpdate();
          }
          statusChange(id, "failed", at);
          return null;
        });
  }

  /** The run ended. */
  void ended(
      String id, AgentStatus status, ExitStatus exit, Optional<AgentOutcome> outcome, Instant at) {
    String st = status.name().toLowerCase(Locale.ROOT);
    locked(
        () -> {
          try (PreparedStatement s =
              db.prepareStatement(
                  "UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, "
                      + "exit_signal = ?, success = ?, result_text = ?, error = ?, cost_usd = ?, input_tokens = ?, "
                      + "output_tokens = ?, turns = ?, session_id = ? WHERE id = ?")) {
            s.setString(1, st);
            s.setString(2, at.toString());
            setInt(s, 3, exit.code().isPresent() ? exit.code().getAsInt() : null);
            setInt(s, 4, exit.signal().isPresent() ? exit.signal().getAsInt() : null);
            Optional<AgentOutcome> o = outcome;
            setInt(
                s,
                5,
                o.map(x -> x.success() ? 1 : 0).orElse(status == AgentStatus.COMPLETED ? 1 : 0));
            s.setString(6, o.flatMap(AgentOutcome::resultText).orElse(null));
            s.setString(7, o.flatMap(AgentOutcome::errorMessage).orElse(null));
            if (o.isPresent() && o.get().costUsd().isPresent()) {
              s.setDouble(8, o.get().costUsd().getAsDouble());
            } else {
              s.setNull(8, Types.REAL);
            }
            setLong(s, 9, o.map(AgentOutcome::inputTokens).orElse(null));
            setLong(s, 10, o.map(AgentOutcome::outputTokens).orElse(null));
            setInt(
                s,
                11,
                o.filter(x -> x.turns().isPresent()).map(x -> x.turns().getAsInt()).orElse(null));
            s.setString(12, o.flatMap(AgentOutcome::sessionId).orElse(null));
            s.setString(13, id);
            s.executeUpdate();
          }
          statusChange(id, st, at);
          return null;
        });
  }

  /** A filter on the history: every part optional. */
  record Query(
      Optional<String> name,
      Optional<String> status,
      Optional<String> backend,
      Optional<Instant> since,
      int limit) {}

  /** The runs matching {@code q}, newest first. */
  ArrayNode list(Query q) {
    return locked(
        () -> {
          StringBuilder sql = new StringBuilder("SELECT * FROM runs WHERE 1=1");
          List<String> args = new ArrayList<>();
          q.name()
              .ifPresent(
                  v -> {
                    sql.append(" AND name = ?");
                    args.add(v);
                  });
          q.status()
              .ifPresent(
                  v -> {
                    sql.append(" AND status = ?");
                    args.add(v.toLowerCase(Locale.ROOT));
                  });
          q.backend()
              .ifPresent(
                  v -> {
                    sql.append(" AND backend = ?");
                    args.add(v);
                  });
          q.since()
              .ifPresent(
                  v -> {
                    sql.append(" AND created_at >= ?");
                    args.add(v.toString());
                  });
          sql.append(" ORDER BY created_at DESC, rowid DESC LIMIT ")
              .append(Math.max(1, Math.min(q.limit(), 10_000)));
          ArrayNode out = EventJson.MAPPER.createArrayNode();
          try (PreparedStatement s = db.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
              s.setString(i + 1, args.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(row(rs));
              }
            }
          }
          return out;
        });
  }

  /** One run with its status changes, if recorded. */
  Optional<ObjectNode> get(String id) {
    return locked(
        () -> {
          ObjectNode run;
          try (PreparedStatement s = db.prepareStatement("SELECT * FROM runs WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return Optional.<ObjectNode>empty();
              }
              run = row(rs);
            }
          }
          ArrayNode changes = run.putArray("status_changes");
          try (PreparedStatement s =
              db.prepareStatement(
                  "SELECT at, status FROM status_changes WHERE run_id = ? ORDER BY rowid")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                changes.addObject().put("at", rs.getString(1)).put("status", rs.getString(2));
              }
            }
          }
          return Optional.of(run);
        });
  }

  @Override
  public void close() {
    locked(
        () -> {
          db.close();
          return null;
        });
  }

  static String backendOf(AgentConfig c) {
    return c.command().isEmpty() ? c.modelBackend() : "command";
  }

  /** The config as JSON with every environment value replaced by {@code "<redacted>"}. */
  static ObjectNode redacted(AgentConfig c) {
    ObjectNode n = EventJson.MAPPER.createObjectNode();
    n.put("name", c.name());
    n.put("backend", backendOf(c));
    if (!c.task().isEmpty()) {
      n.put("task", c.task());
    }
    c.model().ifPresent(m -> n.put("model", m));
    c.systemPrompt().ifPresent(m -> n.put("systemPrompt", m));
    c.context().ifPresent(m -> n.put("context_chars", m.length()));
    c.workingDir().ifPresent(d -> n.put("cwd", d.toString()));
    if (!c.command().isEmpty()) {
      ArrayNode a = n.putArray("command");
      c.command().forEach(a::add);
    }
    ObjectNode env = n.putObject("env");
    c.environment().keySet().stream().sorted().forEach(k -> env.put(k, "<redacted>"));
    if (c.multiTurn()) {
      n.put("multiTurn", true);
    }
    return n;
  }

  private static ObjectNode row(ResultSet rs) throws SQLException {
    ObjectNode n = EventJson.MAPPER.createObjectNode();
    ResultSetMetaData md = rs.getMetaData();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      String col = md.getColumnLabel(i);
      Object v = rs.getObject(i);
      if (v == null) {
        continue;
      }
      switch (col) {
        case "config" -> {
          try {
            n.set("config", EventJson.MAPPER.readTree((String) v));
          } catch (java.io.IOException e) {
            n.put("config", (String) v);
          }
        }
        case "success" -> n.put("success", ((Number) v).intValue() != 0);
        default -> {
          switch (v) {
            case Integer x -> n.put(col, x);
            case Long x -> n.put(col, x);
            case Double x -> n.put(col, x);
            case Number x -> n.put(col, x.doubleValue());
            default -> n.put(col, v.toString());
          }
        }
      }
    }
    return n;
  }

  private void statusChange(String id, String status, Instant at) throws SQLException {
    try (PreparedStatement s =
        db.prepareStatement("INSERT INTO status_changes (run_id, at, status) VALUES (?, ?, ?)")) {
      s.setString(1, id);
      s.setString(2, at.toString());
      s.setString(3, status);
      s.executeUpdate();
    }
  }

  private static void setInt(PreparedStatement s, int i, Integer v) throws SQLException {
    if (v == null) {
      s.setNull(i, Types.INTEGER);
    } else {
      s.setInt(i, v);
    }
  }

  private static void setLong(PreparedStatement s, int i, Long v) throws SQLException {
    if (v == null) {
      s.setNull(i, Types.INTEGER);
    } else {
      s.setLong(i, v);
    }
  }

  private interface Sql<T> {
    T run() throws SQLException;
  }

  private <T> T locked(Sql<T> body) {
    lock.lock();
    try {
      return body.run();
    } catch (SQLException e) {
      throw new IllegalStateException("history database: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  static boolean isAlive(String status) {
    return ALIVE.contains(status);
  }
}
