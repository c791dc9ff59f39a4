//! (stub, replaced by the ui branch)
pub mod theme {
    #[derive(Debug, Clone)]
    pub struct Theme;
    #[derive(Debug, thiserror::Error)]
    #[error("stub")]
    pub struct ThemeError;
    impl Theme {
        pub fn load(_n: &str, _d: &[std::path::PathBuf]) -> Result<Theme, ThemeError> {
            Ok(Theme)
        }
    }
}
pub enum UiExit {
    Quit,
    Cancelled,
}
pub async fn run(
    _s: tokio::sync::watch::Receiver<std::sync::Arc<crate::engine::snapshot::Snapshot>>,
    _t: theme::Theme,
    _c: tokio::sync::mpsc::Sender<crate::engine::Command>,
    _k: tokio_util::sync::CancellationToken,
) -> anyhow::Result<UiExit> {
    Ok(UiExit::Quit)
}
