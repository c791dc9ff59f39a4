//! Where tapewatch keeps its files by default, from the XDG base directories (or the
//! platform's equivalents): one place, so the config, the database, the log and the
//! themes never disagree about the application's name.

use directories::ProjectDirs;
use std::path::PathBuf;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "tapewatch")
}

/// `$XDG_CONFIG_HOME/tapewatch/config.toml`.
pub fn config_file() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
}

/// `$XDG_CONFIG_HOME/tapewatch/themes`.
pub fn themes_dir() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("themes"))
}

/// Where `--theme NAME` and `:theme NAME` look for `NAME.toml`, in order: `themes/`
/// here, [`themes_dir`], and the source tree's `themes/`.
pub fn theme_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("themes")];
    if let Some(p) = themes_dir() {
        dirs.push(p);
    }
    dirs.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/themes"
    )));
    dirs
}

/// `$XDG_DATA_HOME/tapewatch/tapewatch.db`.
pub fn database_file() -> Option<PathBuf> {
    dirs().map(|d| d.data_dir().join("tapewatch.db"))
}

/// `$XDG_STATE_HOME/tapewatch`, or `<local data dir>/tapewatch/state` on platforms
/// without a state dir.
pub fn log_dir() -> Option<PathBuf> {
    let d = dirs()?;
    Some(match d.state_dir() {
        Some(dir) => dir.to_path_buf(),
        None => d.data_local_dir().join("state"),
    })
}
