//! Which database file a run uses, and why opening it is the user's to fix.

use super::cli::Cli;
use super::config::Settings;
use super::UsageError;
use crate::outputs::store;
use anyhow::Result;
use std::path::PathBuf;

/// The database file and what named it (the flag, the config key, or the default),
/// for its errors.
pub struct DbChoice {
    pub path: PathBuf,
    pub named_by: String,
}

pub fn database_path(
    cli: &Cli,
    settings: &Settings,
    cfg_path: Option<&std::path::Path>,
) -> Result<DbChoice> {
    let (path, named_by) = match (&cli.db, &settings.db, store::default_db_path()) {
        (Some(p), _, _) => (p.clone(), "--db".to_string()),
        (None, Some(p), _) => {
            let file = cfg_path.map_or_else(|| "config".into(), |c| c.display().to_string());
            (p.clone(), format!("{file}: storage.db"))
        }
        (None, None, Some(p)) => (p, "database".to_string()),
        (None, None, None) => {
            return Err(UsageError(
                "no data directory found for the database; pass --db FILE".into(),
            )
            .into())
        }
    };
    Ok(DbChoice { path, named_by })
}

/// A database file that cannot be opened is a usage error (exit 2) like any other
/// file the user names; a failure once it is open (a migration, a write) is not.
pub fn db_open_error(e: store::StoreError, named_by: &str) -> anyhow::Error {
    use store::StoreError as E;
    match e {
        E::CreateDir { .. } | E::Open { .. } | E::NotWal { .. } | E::TooNew { .. } => {
            UsageError(format!("{named_by} {e}")).into()
        }
        other => other.into(),
    }
}
