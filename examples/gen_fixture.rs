//! Writes a generated fixture to stdout.
//!
//! ```text
//! cargo run --release --example gen_fixture -- demo > fixtures/demo.jsonl
//! cargo run --release --example gen_fixture -- bench 1000000 > /tmp/bench-1m.jsonl
//! ```

use std::io::{BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: gen_fixture demo | gen_fixture bench <messages>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["demo"] => out.write_all(tapewatch::sources::fixture::gen::demo().as_bytes()),
        ["bench", n] => match n.parse::<usize>() {
            Ok(n) => tapewatch::sources::fixture::gen::bench(n, &mut out),
            Err(_) => {
                eprintln!("gen_fixture: bench needs a message count, got {n:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_fixture: writing stdout: {e}");
            ExitCode::FAILURE
        }
    }
}
