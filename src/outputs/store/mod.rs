//! SQLite persistence: the [`Store`] (open, pragmas, migrations, sessions, events), the
//! batched background writer ([`writer`]) and the default database path.
//!
//! Durability contract: the database runs in WAL mode with `synchronous=FULL`, so a
//! transaction that has committed survives a process crash or power loss.

mod history;
mod schema;
pub mod writer;

pub use schema::SCHEMA_VERSION;
pub use writer::{spawn_writer, WriterHandle, WriterStats};

use crate::domain::event::Event;
use crate::domain::types::Ts;
use rusqlite::{params, Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a statement waits for a lock held by another connection (e.g. a `sqlite3` shell
/// reading the file) before failing with SQLITE_BUSY.
const BUSY_TIMEOUT_MS: u64 = 5_000;

/// What error messages show as the file name of an in-memory database.
const IN_MEMORY_NAME: &str = ":memory:";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot create directory {dir}: {cause}")]
    CreateDir {
        path: PathBuf,
        dir: PathBuf,
        /// In the message, and deliberately not the error's `source()`: anyhow's `{:#}`
        /// prints the source after the message, so it would show twice.
        cause: std::io::Error,
    },
    #[error("{path}: cannot open database: {cause}")]
    Open {
        path: PathBuf,
        cause: rusqlite::Error,
    },
    #[error("{path}: journal_mode is {found:?} after asking for WAL; refusing to run without it")]
    NotWal { path: PathBuf, found: String },
    #[error(
        "{path}: database schema version {found} is newer than this build supports \
         ({supported}); use a newer tapewatch or another database file"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{path}: migration to schema version {version} failed: {cause}")]
    Migration {
        path: PathBuf,
        version: u32,
        cause: rusqlite::Error,
    },
    #[error("{path}: {op}: {cause}")]
    Sql {
        path: PathBuf,
        op: &'static str,
        cause: rusqlite::Error,
    },
    #[error("{path}: database writer thread panicked")]
    WriterPanicked { path: PathBuf },
}

/// One row of the `events` table. Level, kind and source stay as the text stored, so rows
/// written by any build read back without a parse step that could fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub session_id: Option<i64>,
    pub at: Ts,
    pub level: String,
    pub kind: String,
    pub source: Option<String>,
    pub symbol: Option<String>,
    pub message: String,
}

/// An open, migrated tapewatch database. Blocking: use it from the writer thread
/// ([`spawn_writer`]) or from `spawn_blocking`, never directly on the async runtime.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and its parent directories,
    /// sets WAL / `synchronous=FULL` / foreign keys / busy timeout, and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|cause| StoreError::CreateDir {
                path: path.to_path_buf(),
                dir: dir.to_path_buf(),
                cause,
            })?;
        }
        // rusqlite's defaults minus SQLITE_OPEN_URI: a path is a path, even one that
        // starts with "file:".
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|cause| StoreError::Open {
            path: path.to_path_buf(),
            cause,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        // journal_mode is the first statement that touches the file, so an unreadable or
        // non-database file fails here; report it as "cannot open".
        let mode: String = store
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|cause| StoreError::Open {
                path: store.path.clone(),
                cause,
            })?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NotWal {
                path: store.path.clone(),
                found: mode,
            });
        }
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// A private in-memory database with the full schema (no WAL: SQLite keeps in-memory
    /// journals in memory). For tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(IN_MEMORY_NAME);
        let conn = Connection::open_in_memory().map_err(|cause| StoreError::Open {
            path: path.clone(),
            cause,
        })?;
        let mut store = Store { conn, path };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self) -> Result<(), StoreError> {
        let sql = |source| self.sql_err("configure connection", source);
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(sql)?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(sql)?;
        self.conn
            .busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(sql)?;
        // Room for the handful of statements we cache; the default (16) is fine today,
        // but later migrations add tables with their own inserts.
        self.conn.set_prepared_statement_cache_capacity(32);
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        schema::migrate(&mut self.conn).map_err(|e| match e {
            schema::MigrateError::TooNew { found } => StoreError::TooNew {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            },
            schema::MigrateError::Step { version, source } => StoreError::Migration {
                path: self.path.clone(),
                version,
                cause: source,
            },
            schema::MigrateError::Sql(source) => self.sql_err("read user_version", source),
        })?;
        Ok(())
    }

    fn sql_err(&self, op: &'static str, cause: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            path: self.path.clone(),
            op,
            cause,
        }
    }

    /// The file this store was opened from (`:memory:` for in-memory stores).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `PRAGMA user_version`: equals [`SCHEMA_VERSION`] once opened.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::user_version(&self.conn).map_err(|e| self.sql_err("read user_version", e))
    }

    /// `PRAGMA journal_mode` as SQLite reports it ("wal" for file databases).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        self.conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .map_err(|e| self.sql_err("read journal_mode", e))
    }

    /// Records the start of a run and returns its session id.
    pub fn begin_session(&mut self, started_at: Ts, mode: &str) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (started_at_ns, mode, version) VALUES (?1, ?2, ?3)",
                params![started_at.as_nanos(), mode, env!("CARGO_PKG_VERSION")],
            )
            .map_err(|e| self.sql_err("begin session", e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Inserts `events` for `session_id` in one transaction (all or none) and returns how
    /// many rows were written.
    pub fn insert_events(
        &mut self,
        session_id: i64,
        events: &[Event],
    ) -> Result<usize, StoreError> {
        self.insert_batch(session_id, events, &[])
    }

    /// Events and router transitions in one transaction: one fsync for the lot.
    pub fn insert_batch(
        &mut self,
        session_id: i64,
        events: &[Event],
        transitions: &[crate::domain::router::Transition],
    ) -> Result<usize, StoreError> {
        self.insert_all(session_id, events, transitions, &[], &[])
    }

    /// Router transitions of every session, oldest first: (at, from, to, reason).
    pub fn transitions(&self) -> Result<Vec<(Ts, String, String, String)>, StoreError> {
        let sql = |cause| StoreError::Sql {
            path: self.path.clone(),
            op: "read transitions",
            cause,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT at_ns, from_state, to_state, reason FROM transitions ORDER BY id")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((Ts(r.get(0)?), r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    /// Up to `limit` events, newest (by `at`, then by insertion order) first.
    pub fn recent_events(&self, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = |source| self.sql_err("read recent events", source);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, session_id, at_ns, level, kind, source, symbol, message \
                 FROM events ORDER BY at_ns DESC, id DESC LIMIT ?1",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([limit], |row| {
                Ok(StoredEvent {
                    id: row.get(0)?,
                    session_id: row.get(1)?,
                    at: Ts(row.get(2)?),
                    level: row.get(3)?,
                    kind: row.get(4)?,
                    source: row.get(5)?,
                    symbol: row.get(6)?,
                    message: row.get(7)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    /// Number of rows in the `events` table.
    pub fn count_events(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM events", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| self.sql_err("count events", e))
    }
}

/// `<XDG data dir>/tapewatch/tapewatch.db` (e.g. `~/.local/share/tapewatch/tapewatch.db`),
/// or `None` when no home directory can be found.
pub fn default_db_path() -> Option<PathBuf> {
    crate::plumbing::paths::database_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{EventKind, Level};

    #[test]
    fn in_memory_store_is_migrated() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.path(), Path::new(":memory:"));
    }

    #[test]
    fn foreign_keys_reject_unknown_session() {
        let mut store = Store::open_in_memory().unwrap();
        let ev = Event::new(Ts(1), Level::Info, EventKind::Command, "x");
        let err = store
            .insert_events(42, std::slice::from_ref(&ev))
            .unwrap_err();
        assert!(
            err.to_string().starts_with(":memory:: insert events:"),
            "{err}"
        );
        // The failed transaction rolled back and the connection is still usable.
        let sid = store.begin_session(Ts(0), "test").unwrap();
        assert_eq!(store.insert_events(sid, &[ev]).unwrap(), 1);
        assert_eq!(store.count_events().unwrap(), 1);
    }

    #[test]
    fn file_connection_has_the_durability_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db")).unwrap();
        let get = |name: &str| -> i64 {
            store
                .conn
                .pragma_query_value(None, name, |r| r.get(0))
                .unwrap()
        };
        assert_eq!(get("synchronous"), 2, "FULL");
        assert_eq!(get("foreign_keys"), 1);
        assert_eq!(get("busy_timeout"), BUSY_TIMEOUT_MS as i64);
        assert_eq!(store.journal_mode().unwrap(), "wal");
    }

    #[test]
    fn empty_batch_is_fine() {
        let mut store = Store::open_in_memory().unwrap();
        let sid = store.begin_session(Ts(0), "test").unwrap();
        assert_eq!(store.insert_events(sid, &[]).unwrap(), 0);
        assert!(store.recent_events(10).unwrap().is_empty());
    }

    #[test]
    fn default_db_path_ends_in_tapewatch_db() {
        if let Some(p) = default_db_path() {
            assert!(p.ends_with("tapewatch/tapewatch.db"), "{}", p.display());
        }
    }
}
