//! The SQLite schema as an ordered list of migrations, applied by `PRAGMA user_version`.
//!
//! Migration N (1-based) moves a database from `user_version = N-1` to `N`. Each one runs in
//! its own transaction together with the `user_version` bump, so a crash mid-migration leaves
//! the database at the previous version, never half-migrated. Adding a schema version is a
//! one-line change: append a SQL batch to [`MIGRATIONS`]. Never edit a migration that shipped.

use rusqlite::Connection;

/// Schema v1: sessions and the event log.
const V1: &str = "
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    started_at_ns INTEGER NOT NULL,
    mode          TEXT    NOT NULL,
    version       TEXT    NOT NULL
);
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id),
    at_ns      INTEGER NOT NULL,
    level      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    source     TEXT,
    symbol     TEXT,
    message    TEXT    NOT NULL
);
CREATE INDEX events_at_ns ON events(at_ns);
";

/// Schema v2: DataSourceRouter transitions, each with its reason.
const V2: &str = "
CREATE TABLE transitions (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id),
    at_ns      INTEGER NOT NULL,
    from_state TEXT    NOT NULL,
    to_state   TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    failover   INTEGER NOT NULL,
    failback   INTEGER NOT NULL
);
CREATE INDEX transitions_at_ns ON transitions(at_ns);
";

/// Schema v3: per-minute SLO buckets (live runs only; a minute written twice, as at a
/// restart within it, is merged) and the alert history with who acted.
const V3: &str = "
CREATE TABLE slo_minutes (
    minute           INTEGER PRIMARY KEY,
    observed_secs    INTEGER NOT NULL,
    available_secs   INTEGER NOT NULL,
    alpaca_up_secs   INTEGER NOT NULL,
    latency_total    INTEGER NOT NULL,
    latency_good     INTEGER NOT NULL,
    validation_total INTEGER NOT NULL,
    validation_good  INTEGER NOT NULL
);
CREATE TABLE alert_history (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id),
    at_ns      INTEGER NOT NULL,
    alert_id   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    severity   TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    summary    TEXT    NOT NULL
);
CREATE INDEX alert_history_at_ns ON alert_history(at_ns);
";

/// Every migration this build knows, oldest first. Index i holds the step to version i+1.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// The schema version a fully migrated database has with this build.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Why migrating failed; the caller adds the file path.
#[derive(Debug)]
pub(crate) enum MigrateError {
    TooNew {
        found: u32,
    },
    Step {
        version: u32,
        source: rusqlite::Error,
    },
    Sql(rusqlite::Error),
}

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get::<_, u32>(0))
}

/// Brings `conn` up to [`SCHEMA_VERSION`]. Returns the version found before migrating.
pub(crate) fn migrate(conn: &mut Connection) -> Result<u32, MigrateError> {
    let found = user_version(conn).map_err(MigrateError::Sql)?;
    if found > SCHEMA_VERSION {
        return Err(MigrateError::TooNew { found });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as u32 + 1;
        let step = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            // user_version lives in the database header, so this write commits or rolls
            // back together with the schema change above.
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()
        };
        step(conn).map_err(|source| MigrateError::Step { version, source })?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_applies_in_order_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_failing_step_leaves_the_previous_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        // A table named like one v1 creates makes v1 fail half-way through its batch.
        conn.execute_batch("CREATE TABLE events (x INTEGER);")
            .unwrap();
        match migrate(&mut conn) {
            Err(MigrateError::Step { version: 1, .. }) => {}
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(user_version(&conn).unwrap(), 0);
        let sessions: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sessions'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(sessions, 0, "the sessions table must have been rolled back");
    }

    #[test]
    fn newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        match migrate(&mut conn) {
            Err(MigrateError::TooNew { found }) => assert_eq!(found, SCHEMA_VERSION + 1),
            other => panic!("unexpected {other:?}"),
        }
    }
}
