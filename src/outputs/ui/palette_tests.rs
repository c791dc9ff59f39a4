//! The palette's parser and completion, as tables.

use super::*;
use crate::outputs::ui::testutil::sample_snapshot;

#[test]
fn every_command_parses_and_the_help_lists_it() {
    // (line, parses)
    let cases = [
        ("add NFLX AMD", true),
        ("remove AMD", true),
        ("failover", true),
        ("return", true),
        ("reconnect", true),
        ("reset yahoo_http", true),
        ("reset-symbol TSLA", true),
        ("ack H1", true),
        ("snooze H1 30", true),
        ("snooze H1", true),
        ("theme light", true),
        ("sort pnl desc", true),
        ("sort weight", true),
        ("speed 10", true),
        ("speed max", true),
        ("goto positions", true),
        ("goto 2", true),
        ("filter warn TSLA", true),
        ("filter", true),
        ("open", true),
        ("help", true),
        ("quit", true),
        ("speed 0", false),
        ("speed -1", false),
        ("snooze H1 1441", false),
        ("reset", false),
        ("reset a b", false),
        ("theme", false),
        ("sort pnl sideways", false),
    ];
    for (line, ok) in cases {
        assert_eq!(parse(line).is_ok(), ok, "{line}: {:?}", parse(line).err());
    }
    for c in &COMMANDS {
        let line = match c.name {
            "add" | "remove" | "reset-symbol" => format!("{} AAPL", c.name),
            "reset" => "reset yahoo_http".into(),
            "ack" | "snooze" => format!("{} H1", c.name),
            "theme" => "theme mono".into(),
            "sort" => "sort day".into(),
            "speed" => "speed 2".into(),
            "goto" => "goto alerts".into(),
            other => other.to_string(),
        };
        assert!(parse(&line).is_ok(), "{line}");
    }
}

#[test]
fn arguments_complete_from_the_snapshot() {
    let snap = sample_snapshot();
    let names = |line: &str| -> Vec<String> {
        candidates(line, &snap)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    };
    assert_eq!(
        names("reset "),
        ["yahoo_http", "alpaca_stream", "alpaca_rest"]
    );
    assert_eq!(names("theme l"), ["light"]);
    assert_eq!(names("sort pnl "), ["asc", "desc"]);
    assert!(names("ack ").contains(&"H1".to_string()));
    assert_eq!(names("remove BR"), ["BRK.B"]);
    assert!(names("add ").is_empty());
    assert_eq!(complete("theme l", &snap).as_deref(), Some("theme light "));
    assert_eq!(complete("frob", &snap), None);
}
