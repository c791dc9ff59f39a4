//! The architecture, checked from the source (ARCHITECTURE.md draws it): which
//! top-level module may import which, no import cycle between second-level modules,
//! and no I/O crate in the pure core. It reads every `crate::…` path in `src/`,
//! `use crate::{a, b::{c, d}}` groups included, so a new import that breaks the
//! layering fails here with the file that made it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the top-level modules it may import (besides itself).
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("messages", &["domain"]),
    ("plumbing", &["domain", "messages"]),
    ("engine", &["domain", "messages", "plumbing"]),
    ("sources", &["domain", "messages", "plumbing"]),
    ("outputs", &["domain", "messages", "plumbing", "engine"]),
    (
        "app",
        &[
            "domain", "messages", "plumbing", "engine", "sources", "outputs",
        ],
    ),
];

/// Crates that do I/O or drive a terminal, which the pure core may not name.
const IO_CRATES: &[&str] = &[
    "tokio",
    "rusqlite",
    "ratatui",
    "crossterm",
    "reqwest",
    "axum",
    "tungstenite",
    "tokio_tungstenite",
    "std::fs",
    "std::net",
    "std::process",
];

/// Folders whose code is pure: state machines and parsers with time as an input,
/// and the messages between tasks (which may carry a one-shot reply channel).
const PURE: &[&str] = &["src/domain", "src/messages", "src/engine/state"];

/// The one tokio item the messages may name: the reply channel of a request.
const MESSAGES_MAY_USE: &str = "tokio::sync::oneshot";

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Source text without comments, so a doc comment naming a path is no import.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &[u8], mut i: usize) -> (String, usize) {
    let start = i;
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    (String::from_utf8_lossy(&s[start..i]).into_owned(), i)
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Every path under `crate::` in `code`, as up to two leading segments.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let s = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = code[from..].find("crate::") {
        let at = from + k;
        from = at + 7;
        // `tapewatch_crate::` or `$crate::` are not ours.
        if at > 0 && (s[at - 1].is_ascii_alphanumeric() || s[at - 1] == b'_' || s[at - 1] == b'$') {
            continue;
        }
        group_or_path(s, from, Vec::new(), &mut out);
    }
    out
}

/// Reads `a::b`, or `{a::b, c::{d, e}}`, from `i`, prefixed with `prefix`.
fn group_or_path(s: &[u8], i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let i = skip_ws(s, i);
    if s.get(i) == Some(&b'{') {
        let mut j = i + 1;
        let mut depth = 1;
        let mut item_start = j;
        while j < s.len() && depth > 0 {
            match s[j] {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                b',' if depth == 1 => {
                    group_or_path(s, item_start, prefix.clone(), out);
                    item_start = j + 1;
                }
                _ => {}
            }
            j += 1;
        }
        if depth == 0 {
            group_or_path(s, item_start, prefix, out);
        }
        return;
    }
    let mut path = prefix;
    let mut j = i;
    while path.len() < 2 {
        let (id, end) = ident_at(s, skip_ws(s, j));
        if id.is_empty() || id == "self" {
            break;
        }
        path.push(id);
        j = end;
        if s.get(j..j + 2) != Some(b"::") {
            break;
        }
        j += 2;
        if skip_ws(s, j) < s.len() && s[skip_ws(s, j)] == b'{' && path.len() < 2 {
            group_or_path(s, j, path.clone(), out);
            return;
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

struct Module {
    /// `domain`, `engine`, … and the file's own second-level module (`domain/wire`).
    top: String,
    second: String,
}

/// Tests may wire the whole program (a real engine behind the API, a replay behind
/// the TUI); the layering is a rule for the code that ships.
fn is_test_file(file: &Path) -> bool {
    file.file_name()
        .is_some_and(|n| n.to_string_lossy().contains("test"))
}

fn module_of(file: &Path) -> Option<Module> {
    if is_test_file(file) {
        return None;
    }
    let rel = file.strip_prefix(src()).ok()?;
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    let top = parts.first()?.clone();
    if top == "lib" || top == "main" {
        return None;
    }
    let second = match parts.get(1) {
        Some(s) if s != "mod" => format!("{top}/{s}"),
        _ => top.clone(),
    };
    Some(Module { top, second })
}

fn files() -> Vec<PathBuf> {
    let mut all = Vec::new();
    rust_files(&src(), &mut all);
    all.sort();
    all
}

#[test]
fn lib_rs_lists_only_the_layers() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let mods: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    let want: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    assert_eq!(mods, want);
}

#[test]
fn every_import_follows_the_layers() {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for f in files() {
        let Some(m) = module_of(&f) else { continue };
        let Some(may) = allowed.get(m.top.as_str()) else {
            wrong.push(format!("{}: not under a known layer", f.display()));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for path in crate_paths(&code) {
            let to = path[0].as_str();
            if to != m.top && !may.contains(&to) && allowed.contains_key(to) {
                wrong.push(format!(
                    "{}: {} imports crate::{}",
                    f.display(),
                    m.top,
                    path.join("::")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_cycle_between_second_level_modules() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files() {
        let Some(m) = module_of(&f) else { continue };
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for path in crate_paths(&code) {
            let to = match path.get(1) {
                Some(s) if s.chars().next().is_some_and(|c| c.is_ascii_lowercase()) => {
                    format!("{}/{}", path[0], s)
                }
                _ => path[0].clone(),
            };
            if to != m.second && to != m.top {
                edges.entry(m.second.clone()).or_default().insert(to);
            }
        }
    }
    // Depth-first search for a back edge; report the cycle's path.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|s| s == n).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for next in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        let mut stack = Vec::new();
        if let Some(c) = visit(n, &edges, &mut state, &mut stack) {
            panic!("import cycle: {}", c.join(" → "));
        }
    }
}

#[test]
fn the_pure_core_names_no_io_crate() {
    let mut wrong = Vec::new();
    for f in files() {
        let rel = f
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap();
        let rel_s = rel.to_string_lossy();
        if !PURE.iter().any(|p| rel_s.starts_with(p)) || rel_s.contains("test") {
            continue;
        }
        let mut code = code_of(&std::fs::read_to_string(&f).unwrap());
        if rel_s.starts_with("src/messages") {
            code = code.replace(MESSAGES_MAY_USE, "");
        }
        for c in IO_CRATES {
            let uses = code.match_indices(&format!("{c}::")).any(|(i, _)| {
                i == 0
                    || !code.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && code.as_bytes()[i - 1] != b'_'
            });
            if uses {
                wrong.push(format!("{rel_s} names {c}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "I/O in the pure core:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_path_reader_reads_groups() {
    let code = "use crate::{domain::{types::Ts, wire}, messages::FeedEvent};\nlet x = crate::engine::state::X;";
    let got: Vec<String> = crate_paths(code).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        got,
        [
            "domain::types",
            "domain::wire",
            "messages::FeedEvent",
            "engine::state"
        ]
    );
}

/// Small modules: every Rust file stays within 400 lines, so each can be read whole.
#[test]
fn every_file_stays_within_400_lines() {
    const MAX_LINES: usize = 400;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        rust_files(&root.join(dir), &mut all);
    }
    let long: Vec<String> = all
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).ok()?.lines().count();
            (n > MAX_LINES).then(|| format!("{}: {n} lines", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// Every module opens with a `//!` header that says what it owns.
#[test]
fn every_module_says_what_it_owns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        rust_files(&root.join(dir), &mut all);
    }
    let bare: Vec<String> = all
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(bare.is_empty(), "no //! header:\n{}", bare.join("\n"));
}
