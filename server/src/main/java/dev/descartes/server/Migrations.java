package dev.descartes.server;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The history database's schema, as numbered migrations applied in order inside one transaction
 * each; {@code PRAGMA user_version} records the last one applied. Append new ones, never edit old
 * ones.
 */
final class Migrations {

  private static final List<String> STEPS =
      List.of(
          """
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        backend TEXT NOT NULL,
        model TEXT,
        task TEXT NOT NULL,
        config TEXT NOT NULL,
        status TEXT NOT NULL,
        pid INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        exit_code INTEGER,
        exit_signal INTEGER,
        success INTEGER,
        result_text TEXT,
        error TEXT,
        cost_usd REAL,
        input_tokens INTEGER,
        output_tokens INTEGER,
        turns INTEGER,
        session_id TEXT,
        transcript_path TEXT,
        lost_reason TEXT,
        daemon_pid INTEGER NOT NULL
      );
      CREATE INDEX runs_created ON runs(created_at);
      CREATE TABLE status_changes (
        run_id TEXT NOT NULL REFERENCES runs(id),
        at TEXT NOT NULL,
        status TEXT NOT NULL
      );
      CREATE INDEX status_changes_run ON status_changes(run_id);
      """);

  private Migrations() {}

  /** Brings {@code db} to the newest schema; returns the version it was at. */
  static int apply(Connection db) throws SQLException {
    int version;
    try (Statement s = db.createStatement();
        var rs = s.executeQuery("PRAGMA user_version")) {
      version = rs.next() ? rs.getInt(1) : 0;
    }
    if (version > STEPS.size()) {
      throw new SQLException(
          "the history database has schema version "
              + version
              + ", newer than this "
              + "descartes knows ("
              + STEPS.size()
              + "); use a newer descartes or another --data-dir");
    }
    for (int v = version; v < STEPS.size(); v++) {
      db.setAutoCommit(false);
      try (Statement s = db.createStatement()) {
        for (String sql : STEPS.get(v).split(";")) {
          if (!sql.isBlank()) {
            s.execute(sql);
          }
        }
        s.execute("PRAGMA user_version = " + (v + 1));
        db.commit();
      } catch (SQLException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    }
    return version;
  }

  static int latest() {
    return STEPS.size();
  }
}
