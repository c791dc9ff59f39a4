//! One key as the keymap knows it ([`KeySpec`]): a key code with Ctrl and Alt, read
//! from a terminal key event or from the config's spelling (`"F"`, `"Ctrl-r"`, `"PgDn"`,
//! `"Space"`), and shown back in the help (`↑`, `Ctrl-c`, `Enter`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// Shift is not part of it: a letter's case already says it, and no binding uses
/// Shift with a non-character key (Shift-Tab arrives as its own `BackTab`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeySpec {
    pub const fn ch(c: char) -> KeySpec {
        KeySpec {
            code: KeyCode::Char(c),
            ctrl: false,
            alt: false,
        }
    }

    pub const fn code(code: KeyCode) -> KeySpec {
        KeySpec {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ctrl(c: char) -> KeySpec {
        KeySpec {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    pub fn from_event(key: &KeyEvent) -> KeySpec {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let code = match key.code {
            // Ctrl-Shift-R and Ctrl-R are one key to the user.
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        KeySpec { code, ctrl, alt }
    }

    /// Types a character into a prompt (rather than commanding something).
    pub fn is_printable(&self) -> bool {
        matches!(self.code, KeyCode::Char(c) if !c.is_control()) && !self.ctrl && !self.alt
    }

    /// Reads the config's spelling: a single character (case matters: `"F"` is
    /// Shift-f), or a key name (case does not matter), with `Ctrl-` / `Alt-` in front.
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let bad = || {
            format!(
                "{text:?} is not a key (expected a character like \"F\", or a name like \
                 \"Enter\", \"Esc\", \"Tab\", \"Up\", \"PgDn\", \"Home\", \"Space\", \"F5\", \
                 with \"Ctrl-\" or \"Alt-\" in front if wanted)"
            )
        };
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(n) = ["ctrl-", "ctrl+", "c-"]
                .iter()
                .find(|p| lower.starts_with(**p))
            {
                ctrl = true;
                rest = &rest[n.len()..];
            } else if let Some(n) = ["alt-", "alt+", "m-"]
                .iter()
                .find(|p| lower.starts_with(**p))
            {
                alt = true;
                rest = &rest[n.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err(bad()),
            (Some(c), None) if !c.is_control() => {
                KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => named(rest).ok_or_else(bad)?,
        };
        Ok(KeySpec { code, ctrl, alt })
    }
}

fn named(name: &str) -> Option<KeyCode> {
    let lower = name.to_ascii_lowercase();
    Some(match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" | "shift-tab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        f if f.starts_with('f') => {
            let n: u8 = f[1..].parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
        _ => return None,
    })
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_spellings() {
        // (text, expected, shown back as)
        let cases = [
            ("F", KeySpec::ch('F'), "F"),
            ("f", KeySpec::ch('f'), "f"),
            ("Ctrl-R", KeySpec::ctrl('r'), "Ctrl-r"),
            ("ctrl+c", KeySpec::ctrl('c'), "Ctrl-c"),
            ("Up", KeySpec::code(KeyCode::Up), "↑"),
            ("pgdn", KeySpec::code(KeyCode::PageDown), "PgDn"),
            ("Space", KeySpec::ch(' '), "Space"),
            ("F5", KeySpec::code(KeyCode::F(5)), "F5"),
            ("Shift-Tab", KeySpec::code(KeyCode::BackTab), "Shift-Tab"),
            ("?", KeySpec::ch('?'), "?"),
            ("-", KeySpec::ch('-'), "-"),
        ];
        for (text, want, shown) in cases {
            assert_eq!(KeySpec::parse(text), Ok(want), "{text}");
            assert_eq!(want.to_string(), shown, "{text}");
        }
        for bad in ["", "Ctrl-", "Enterr", "F13", "F0", "ab"] {
            let e = KeySpec::parse(bad).unwrap_err();
            assert!(
                e.contains(&format!("{bad:?}")) && e.contains("not a key"),
                "{e}"
            );
        }
    }

    #[test]
    fn events_ignore_shift_and_case_under_ctrl() {
        let shift_s = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(KeySpec::from_event(&shift_s), KeySpec::ch('S'));
        let ctrl_shift_r = KeyEvent::new(
            KeyCode::Char('R'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(KeySpec::from_event(&ctrl_shift_r), KeySpec::ctrl('r'));
        assert!(KeySpec::ch('x').is_printable());
        assert!(!KeySpec::ctrl('x').is_printable());
        assert!(!KeySpec::code(KeyCode::Enter).is_printable());
    }
}
