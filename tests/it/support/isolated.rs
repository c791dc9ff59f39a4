//! Runs one ignored test of this binary in a child process of its own. For tests
//! that install process-wide state (the global log subscriber, an environment
//! variable), which would leak into every other test of the one test binary.

use std::process::Command;

/// Runs `test` (its full path, `store::logging_child`) alone in a child process with
/// `env` set, and fails the calling test with the child's output if it failed.
pub fn run(test: &str, env: &[(&str, &str)]) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([
            "--exact",
            test,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().copied())
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test} in a child process: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
