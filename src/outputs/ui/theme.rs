//! Colour themes: the semantic [`Role`]s the views paint with, and loading them from
//! `themes/<name>.toml`. The embedded `themes/default.toml` is the fallback for missing
//! roles and for the name "default" when no file overrides it.
//!
//! File format: one `[colors]` table whose keys are role names. A value is either a
//! colour (`"green"`, `"#ff5555"`, `"reset"`/`"default"`, or a 0–255 palette index) or an
//! inline table `{ fg = "...", bg = "...", modifiers = ["bold", "reversed"] }` for full
//! control (the mono theme needs it). A plain colour paints the background for `*_bg`
//! and `badge_*` roles and the foreground for every other role.

use ratatui::style::{Color, Modifier, Style};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use thiserror::Error;

/// Shipped with the binary so the UI always has a theme, even with no `themes/` directory.
const DEFAULT_TOML: &str = include_str!("../../../themes/default.toml");
const DEFAULT_PATH: &str = "<embedded themes/default.toml>";

/// What a piece of the screen means; themes map each one to a style.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Text,
    Muted,
    Accent,
    Up,
    Down,
    Ok,
    Warn,
    Error,
    Stale,
    HeaderBg,
    HeaderFg,
    SelectedBg,
    Border,
    BadgeDemo,
    BadgeLive,
    BadgeReplay,
    /// Prices come from the delayed fallback (Yahoo).
    BadgeDelayed,
    /// Neither source serves: every price on screen is old.
    BadgeNoData,
}

impl Role {
    pub const ALL: [Role; 18] = [
        Role::Text,
        Role::Muted,
        Role::Accent,
        Role::Up,
        Role::Down,
        Role::Ok,
        Role::Warn,
        Role::Error,
        Role::Stale,
        Role::HeaderBg,
        Role::HeaderFg,
        Role::SelectedBg,
        Role::Border,
        Role::BadgeDemo,
        Role::BadgeLive,
        Role::BadgeReplay,
        Role::BadgeDelayed,
        Role::BadgeNoData,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Muted => "muted",
            Role::Accent => "accent",
            Role::Up => "up",
            Role::Down => "down",
            Role::Ok => "ok",
            Role::Warn => "warn",
            Role::Error => "error",
            Role::Stale => "stale",
            Role::HeaderBg => "header_bg",
            Role::HeaderFg => "header_fg",
            Role::SelectedBg => "selected_bg",
            Role::Border => "border",
            Role::BadgeDemo => "badge_demo",
            Role::BadgeLive => "badge_live",
            Role::BadgeReplay => "badge_replay",
            Role::BadgeDelayed => "badge_delayed",
            Role::BadgeNoData => "badge_no_data",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Whether a plain colour for this role means "background".
    const fn colour_is_background(self) -> bool {
        matches!(
            self,
            Role::HeaderBg
                | Role::SelectedBg
                | Role::BadgeDemo
                | Role::BadgeLive
                | Role::BadgeReplay
                | Role::BadgeDelayed
                | Role::BadgeNoData
        )
    }

    const fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ThemeError {
    #[error("theme name {name:?} is not valid (expected letters, digits, '-' or '_')")]
    BadName { name: String },
    #[error("theme {name:?} not found (looked for {looked_in})")]
    NotFound { name: String, looked_in: String },
    #[error("{path}: cannot read: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: TOML syntax error{at}: {reason}")]
    Syntax {
        path: String,
        at: String,
        reason: String,
    },
    #[error("{path}: {key}: {problem}")]
    Invalid {
        path: String,
        key: String,
        problem: String,
    },
}

/// A resolved theme: one style per [`Role`].
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: [Style; Role::ALL.len()],
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::embedded_default()
    }
}

impl Theme {
    pub fn style(&self, role: Role) -> Style {
        self.styles[role.index()]
    }

    /// The header bar: header_fg on header_bg.
    pub fn header(&self) -> Style {
        self.style(Role::HeaderBg).patch(self.style(Role::HeaderFg))
    }

    /// The embedded default theme. Its text is part of the binary and covered by tests,
    /// so a parse failure here is a build defect; we still degrade to plain styles.
    pub fn embedded_default() -> Theme {
        let base = Theme {
            name: "default".to_string(),
            styles: [Style::default(); Role::ALL.len()],
        };
        parse_theme("default", DEFAULT_PATH, DEFAULT_TOML, &base).unwrap_or(base)
    }

    /// Parses theme text from `origin` (named in errors) over the embedded default.
    pub fn from_toml(name: &str, origin: &str, text: &str) -> Result<Theme, ThemeError> {
        parse_theme(name, origin, text, &Theme::embedded_default())
    }

    /// Finds `<dir>/<name>.toml` in the first of `search_dirs` that has it. The name
    /// "default" with no file anywhere gives the embedded default.
    pub fn load(name: &str, search_dirs: &[PathBuf]) -> Result<Theme, ThemeError> {
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_name {
            return Err(ThemeError::BadName {
                name: name.to_string(),
            });
        }
        let candidates: Vec<PathBuf> = search_dirs
            .iter()
            .map(|d| d.join(format!("{name}.toml")))
            .collect();
        match candidates.iter().find(|p| p.is_file()) {
            Some(path) => Theme::load_file(name, path),
            None if name == "default" => Ok(Theme::embedded_default()),
            None => Err(ThemeError::NotFound {
                name: name.to_string(),
                looked_in: if candidates.is_empty() {
                    "no theme directories configured".to_string()
                } else {
                    candidates
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            }),
        }
    }

    fn load_file(name: &str, path: &Path) -> Result<Theme, ThemeError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ThemeError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        parse_theme(name, &shown, &text, &Theme::embedded_default())
    }
}

/// Parses theme text; roles the file leaves out keep `base`'s style.
pub(crate) fn parse_theme(
    name: &str,
    path: &str,
    text: &str,
    base: &Theme,
) -> Result<Theme, ThemeError> {
    let invalid = |key: &str, problem: String| ThemeError::Invalid {
        path: path.to_string(),
        key: key.to_string(),
        problem,
    };
    let doc: toml::Table = toml::from_str(text).map_err(|e| ThemeError::Syntax {
        path: path.to_string(),
        at: e
            .span()
            .map(|s| format!(" at line {}", line_of(text, s.start)))
            .unwrap_or_default(),
        reason: e.message().trim().to_string(),
    })?;
    let mut theme = Theme {
        name: name.to_string(),
        styles: base.styles,
    };
    for (section, value) in &doc {
        if section != "colors" {
            return Err(invalid(
                section,
                "unknown section (expected only [colors])".to_string(),
            ));
        }
        let Some(colors) = value.as_table() else {
            return Err(invalid(section, "expected a table [colors]".to_string()));
        };
        for (key, value) in colors {
            let full_key = format!("colors.{key}");
            let role = Role::from_key(key).ok_or_else(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
                invalid(
                    &full_key,
                    format!("unknown role (expected one of {})", known.join(", ")),
                )
            })?;
            theme.styles[role.index()] = parse_role(role, value).map_err(|(sub, problem)| {
                let key = if sub.is_empty() {
                    full_key.clone()
                } else {
                    format!("{full_key}.{sub}")
                };
                invalid(&key, problem)
            })?;
        }
    }
    Ok(theme)
}

/// Errors carry the sub-key inside an inline table ("" for the value itself).
fn parse_role(role: Role, value: &toml::Value) -> Result<Style, (String, String)> {
    match value {
        toml::Value::String(s) => {
            let colour = parse_colour(s).map_err(|p| (String::new(), p))?;
            Ok(if role.colour_is_background() {
                Style::default().bg(colour)
            } else {
                Style::default().fg(colour)
            })
        }
        toml::Value::Table(t) => {
            let mut style = Style::default();
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("fg", toml::Value::String(s)) => {
                        style = style.fg(parse_colour(s).map_err(|p| (k.clone(), p))?);
                    }
                    ("bg", toml::Value::String(s)) => {
                        style = style.bg(parse_colour(s).map_err(|p| (k.clone(), p))?);
                    }
                    ("modifiers", toml::Value::Array(items)) => {
                        for item in items {
                            let m = item
                                .as_str()
                                .and_then(parse_modifier)
                                .ok_or_else(|| (k.clone(), bad_modifier(item)))?;
                            style = style.add_modifier(m);
                        }
                    }
                    ("fg" | "bg", other) => {
                        return Err((k.clone(), format!("{other} is not a colour string")))
                    }
                    ("modifiers", other) => {
                        return Err((k.clone(), format!("{other} is not a list of modifiers")))
                    }
                    _ => {
                        return Err((
                            k.clone(),
                            "unknown field (expected fg, bg or modifiers)".to_string(),
                        ))
                    }
                }
            }
            Ok(style)
        }
        other => Err((
            String::new(),
            format!(
                "{other} is not a colour (expected a name like \"green\", \"#rrggbb\", \
                 or a table {{ fg = ..., bg = ..., modifiers = [...] }})"
            ),
        )),
    }
}

fn parse_colour(s: &str) -> Result<Color, String> {
    let trimmed = s.trim();
    if trimmed.eq_ignore_ascii_case("default") {
        return Ok(Color::Reset);
    }
    Color::from_str(trimmed).map_err(|_| {
        format!("{s:?} is not a colour (expected a name like \"green\" or \"#rrggbb\")")
    })
}

fn parse_modifier(s: &str) -> Option<Modifier> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        _ => return None,
    })
}

fn bad_modifier(item: &toml::Value) -> String {
    format!("{item} is not a modifier (expected bold, dim, italic, underlined or reversed)")
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte)
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}
