//! Theme loading tests: shipped themes, the embedded fallback, and every error path
//! with the file, key and expectation named in the message.

use super::theme::{Role, Theme, ThemeError};
use ratatui::style::{Color, Modifier};
use std::path::PathBuf;

fn dir_with(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    dir
}

fn shipped_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes")
}

#[test]
fn embedded_default_sets_every_role() {
    let t = Theme::embedded_default();
    assert_eq!(t.name, "default");
    for role in Role::ALL {
        assert_ne!(t.style(role), ratatui::style::Style::default(), "{role:?}");
    }
    assert_eq!(t.style(Role::Up).fg, Some(Color::LightGreen));
    assert_eq!(
        t.style(Role::HeaderBg).bg,
        Some(Color::Rgb(0x1c, 0x2b, 0x3a))
    );
    assert_eq!(t.style(Role::BadgeDemo).bg, Some(Color::Yellow));
}

#[test]
fn default_without_a_file_is_embedded() {
    let empty = tempfile::tempdir().unwrap();
    let t = Theme::load("default", &[empty.path().to_path_buf()]).unwrap();
    assert_eq!(t, Theme::embedded_default());
    assert_eq!(
        Theme::load("default", &[]).unwrap(),
        Theme::embedded_default()
    );
}

#[test]
fn shipped_themes_load() {
    let dirs = [shipped_dir()];
    for name in ["default", "light", "mono"] {
        let t = Theme::load(name, &dirs).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(t.name, name);
    }
    // The shipped default file and the embedded copy are the same text.
    assert_eq!(
        Theme::load("default", &dirs).unwrap(),
        Theme::embedded_default()
    );
    // Mono uses no colours at all.
    let mono = Theme::load("mono", &dirs).unwrap();
    for role in Role::ALL {
        let s = mono.style(role);
        for c in [s.fg, s.bg].into_iter().flatten() {
            assert_eq!(c, Color::Reset, "mono {role:?}");
        }
    }
    assert!(mono
        .style(Role::SelectedBg)
        .add_modifier
        .contains(Modifier::REVERSED));
}

#[test]
fn good_file_overrides_and_falls_back() {
    let dir = dir_with(
        "mine",
        r##"
[colors]
up = "green"
down = "#ff5555"
warn = "default"
selected_bg = "blue"
badge_live = { fg = "black", bg = "light-green", modifiers = ["bold", "reversed"] }
"##,
    );
    let t = Theme::load(
        "mine",
        &[PathBuf::from("/nonexistent"), dir.path().to_path_buf()],
    )
    .unwrap();
    assert_eq!(t.name, "mine");
    assert_eq!(t.style(Role::Up).fg, Some(Color::Green));
    assert_eq!(t.style(Role::Down).fg, Some(Color::Rgb(0xff, 0x55, 0x55)));
    assert_eq!(t.style(Role::Warn).fg, Some(Color::Reset));
    assert_eq!(
        t.style(Role::SelectedBg).bg,
        Some(Color::Blue),
        "plain colour is a background"
    );
    let live = t.style(Role::BadgeLive);
    assert_eq!(
        (live.fg, live.bg),
        (Some(Color::Black), Some(Color::LightGreen))
    );
    assert!(live
        .add_modifier
        .contains(Modifier::BOLD | Modifier::REVERSED));
    // Unlisted roles keep the default's style.
    let d = Theme::embedded_default();
    assert_eq!(t.style(Role::Accent), d.style(Role::Accent));
}

#[test]
fn first_search_dir_wins() {
    let a = dir_with("x", "[colors]\nup = \"red\"\n");
    let b = dir_with("x", "[colors]\nup = \"blue\"\n");
    let t = Theme::load("x", &[a.path().to_path_buf(), b.path().to_path_buf()]).unwrap();
    assert_eq!(t.style(Role::Up).fg, Some(Color::Red));
}

#[test]
fn errors_name_the_file_key_and_expectation() {
    // (file text, substrings the message must contain)
    let cases: [(&str, &[&str]); 8] = [
        (
            "[colors]\nup = \"grean\"\n",
            &[
                "colors.up",
                "\"grean\" is not a colour",
                "expected a name like \"green\" or \"#rrggbb\"",
            ],
        ),
        (
            "[colors]\nupp = \"green\"\n",
            &["colors.upp", "unknown role", "expected one of text, muted"],
        ),
        (
            "[colors]\nup = 3.5\n",
            &["colors.up", "3.5 is not a colour"],
        ),
        (
            "[colors]\nup = { fg = \"#12345\" }\n",
            &["colors.up.fg", "\"#12345\" is not a colour"],
        ),
        (
            "[colors]\nup = { fg = \"red\", blink = true }\n",
            &["colors.up.blink", "expected fg, bg or modifiers"],
        ),
        (
            "[colors]\nup = { modifiers = [\"sparkle\"] }\n",
            &["colors.up.modifiers", "\"sparkle\" is not a modifier"],
        ),
        ("[colours]\nup = \"red\"\n", &["colours", "unknown section"]),
        (
            "[colors]\nup = \"red\"\ndown = \n",
            &["TOML syntax error at line 3"],
        ),
    ];
    for (text, wants) in cases {
        let dir = dir_with("bad", text);
        let err = Theme::load("bad", &[dir.path().to_path_buf()]).unwrap_err();
        let msg = err.to_string();
        let path = dir.path().join("bad.toml").display().to_string();
        assert!(msg.starts_with(&path), "{msg:?} should start with {path:?}");
        for want in wants {
            assert!(msg.contains(want), "{msg:?} should contain {want:?}");
        }
    }
}

#[test]
fn missing_theme_lists_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let err = Theme::load("dark", &[dir.path().to_path_buf()]).unwrap_err();
    let want = dir.path().join("dark.toml").display().to_string();
    assert!(matches!(err, ThemeError::NotFound { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("theme \"dark\" not found") && msg.contains(&want),
        "{msg}"
    );
    let none = Theme::load("dark", &[]).unwrap_err().to_string();
    assert!(none.contains("no theme directories configured"), "{none}");
}

#[test]
fn bad_theme_names_are_rejected() {
    for name in ["", "../etc/passwd", "a b", "x.toml"] {
        let err = Theme::load(name, &[shipped_dir()]).unwrap_err();
        assert!(matches!(err, ThemeError::BadName { .. }), "{name:?}: {err}");
    }
}

#[test]
fn every_shipped_theme_sets_the_data_badges() {
    let dirs = [shipped_dir()];
    for name in ["default", "light", "mono"] {
        let text = std::fs::read_to_string(shipped_dir().join(format!("{name}.toml"))).unwrap();
        let t = Theme::load(name, &dirs).unwrap();
        for role in [Role::BadgeDelayed, Role::BadgeNoData] {
            // Set in the file itself, not inherited, and loud: a background or reversed.
            assert!(
                text.contains(&format!("{} =", role.key())),
                "{name} {role:?}"
            );
            let s = t.style(role);
            assert!(
                s.bg.is_some() || s.add_modifier.contains(Modifier::REVERSED),
                "{name} {role:?} is not a badge"
            );
        }
    }
    assert_eq!(Role::from_key("badge_delayed"), Some(Role::BadgeDelayed));
    assert_eq!(Role::from_key("badge_no_data"), Some(Role::BadgeNoData));
}
