//! The subcommands beside a run: `replay FILE`, `completions`, `info` and
//! `check-config`, from the outside.

use crate::cli::{tapewatch, usage_error};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.jsonl");

#[test]
fn replay_subcommand_is_the_replay_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = tapewatch(dir.path())
        .args(["replay", DEMO, "--no-ui", "--speed", "max"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    assert!(last.contains("\"summary\""), "{last}");

    let err = usage_error(
        tapewatch(dir.path()).args(["--replay", DEMO, "replay", DEMO, "--no-ui"]),
        &["--replay", "replay FILE"],
        "give one",
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn completions_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef tapewatch"),
        ("fish", "complete -c tapewatch"),
    ] {
        let out = tapewatch(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(
            text.contains("check-config") && text.contains("no-ui"),
            "{shell}"
        );
    }
    usage_error(
        tapewatch(dir.path()).args(["completions", "tcsh"]),
        &["tcsh", "<SHELL>"],
        "invalid value",
    );
}

#[test]
fn info_names_every_path_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = tapewatch(dir.path())
        .arg("info")
        .env("APCA_API_KEY_ID", "INFO-KEY-ID")
        .env("APCA_API_SECRET_KEY", "INFO-SECRET-VALUE")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let data = dir
        .path()
        .join("data")
        .join("tapewatch")
        .join("tapewatch.db");
    for want in [
        "tapewatch 0.",
        "built-in defaults",
        data.to_str().unwrap(),
        dir.path().join("state").to_str().unwrap(),
        "default",
        "http://127.0.0.1:0",
        "live, Alpaca feed iex (credentials set)",
    ] {
        assert!(text.contains(want), "no {want:?} in\n{text}");
    }
    assert!(!text.contains("INFO-KEY-ID") && !text.contains("INFO-SECRET-VALUE"));
    // An invalid config is described, not fatal.
    let cfg = dir.path().join("bad.toml");
    std::fs::write(
        &cfg,
        "[router]\nfallback_activation_delay_secs = \"soon\"\n",
    )
    .unwrap();
    let out = tapewatch(dir.path())
        .args(["info", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("invalid") && text.contains("bad.toml"),
        "{text}"
    );
}

#[test]
fn check_config_prints_the_effective_config_or_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[alpaca]\nkey_id = \"CHK-KEY\"\nsecret_key = \"CHK-SECRET\"\n[router]\nfallback_activation_delay_secs = 4\n",
    )
    .unwrap();
    let out = tapewatch(dir.path())
        .arg("check-config")
        .arg(&cfg)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("c.toml: the config is valid"), "{stderr}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fallback_activation_delay_secs = 4"),
        "{text}"
    );
    assert!(text.contains("max_consecutive_failures = 3"), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
    assert!(
        !text.contains("CHK-KEY") && !text.contains("CHK-SECRET"),
        "{text}"
    );
    // What it prints loads again.
    let again = dir.path().join("again.toml");
    std::fs::write(&again, text.as_bytes()).unwrap();
    let out = tapewatch(dir.path())
        .arg("check-config")
        .arg(&again)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    std::fs::write(&cfg, "[breakers]\nwindow_size = 0\n").unwrap();
    usage_error(
        tapewatch(dir.path()).arg("check-config").arg(&cfg),
        &["c.toml", "breakers.window_size"],
        "must be between 1 and 1000",
    );
}
