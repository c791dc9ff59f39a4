//! What the terminal UI is started with ([`UiOptions`]: keymap, mouse, the API's
//! address, theme directories) and what its loop asks of the world beyond drawing
//! ([`Outside`]: the bell, the clipboard through OSC 52, loading a theme), so tests
//! can record those instead.

use super::keymap::Keymap;
use super::theme::{Theme, ThemeError};
use std::io;
use std::path::PathBuf;

/// What the UI is started with besides its channels.
#[derive(Clone, Debug)]
pub struct UiOptions {
    pub keymap: Keymap,
    /// Capture the mouse (`ui.mouse`, default on).
    pub mouse: bool,
    /// The API's base URL as the runbook commands should use it.
    pub api_base: String,
    /// Where `:theme NAME` looks for `NAME.toml`.
    pub theme_dirs: Vec<PathBuf>,
    /// Attached to a remote tapewatch (`tapewatch attach`): its link.
    pub remote: Option<super::remote::RemoteOptions>,
}

impl Default for UiOptions {
    fn default() -> UiOptions {
        UiOptions {
            keymap: Keymap::default(),
            mouse: true,
            api_base: "http://127.0.0.1:5002".into(),
            theme_dirs: Vec::new(),
            remote: None,
        }
    }
}

/// What the loop asks of the world beyond drawing: the bell, the clipboard, themes.
/// The terminal does it for real; tests record it.
pub trait Outside {
    fn bell(&mut self);
    fn copy(&mut self, text: &str) -> io::Result<()>;
    fn theme(&mut self, name: &str) -> Result<Theme, ThemeError>;
}

/// The real terminal: BEL and OSC 52 straight to stdout (ratatui has no notion of
/// either), themes from the theme directories.
pub(super) struct Term {
    pub(super) theme_dirs: Vec<PathBuf>,
}

impl Outside for Term {
    fn bell(&mut self) {
        use std::io::Write;
        let mut out = io::stdout();
        // A failed write only costs the sound.
        let _ = out.write_all(b"\x07").and_then(|()| out.flush());
    }

    fn copy(&mut self, text: &str) -> io::Result<()> {
        crossterm::execute!(
            io::stdout(),
            crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
        )
    }

    fn theme(&mut self, name: &str) -> Result<Theme, ThemeError> {
        Theme::load(name, &self.theme_dirs)
    }
}
