//! The I/O of one send, thin: a webhook POST through the shared reqwest client, or an
//! exec hook run with its JSON on stdin. Both end within their timeout in `Ok` or a
//! [`SendError`] whose text is safe to show: it never holds a webhook's full URL.

use secrecy::{ExposeSecret, SecretString};
use std::process::Stdio;
use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Enough of a response or stderr to explain a failure, not to store a log.
const DETAIL_BYTES: usize = 512;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SendError {
    #[error("timed out after {0} s")]
    Timeout(u64),
    #[error("HTTP {status}{detail}")]
    Status { status: u16, detail: String },
    #[error("{0}")]
    Transport(String),
    #[error("cannot start {program}: {reason}")]
    Spawn { program: String, reason: String },
    #[error("{program} exited with status {code}{detail}")]
    Exit {
        program: String,
        code: i32,
        detail: String,
    },
    #[error("{program} was killed by a signal{detail}")]
    Signal { program: String, detail: String },
    #[error("{program}: {reason}")]
    Wait { program: String, reason: String },
}

/// `": first line"` of a body or stderr, or nothing.
fn detail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        Some(l) => format!(": {}", l.chars().take(200).collect::<String>()),
        None => String::new(),
    }
}

/// reqwest's error and its causes, without the URL (the path may hold a token), and
/// with the URL scrubbed from the causes too in case a layer below repeats it.
fn transport(e: reqwest::Error, url: &str, host: &str) -> String {
    let mut parts = vec![e.to_string()];
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let s = c.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cause = c.source();
    }
    let text = format!("{host}: {}", parts.join(": "));
    text.replace(url, host)
}

pub async fn webhook(
    client: &reqwest::Client,
    url: &SecretString,
    host: &str,
    body: Vec<u8>,
    timeout_secs: u64,
) -> Result<(), SendError> {
    let timeout = Duration::from_secs(timeout_secs);
    let raw = url.expose_secret();
    let post = async {
        let resp = client
            .post(raw)
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    SendError::Timeout(timeout_secs)
                } else {
                    SendError::Transport(transport(e.without_url(), raw, host))
                }
            })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let mut resp = resp;
        let mut buf = Vec::new();
        while buf.len() < DETAIL_BYTES {
            match resp.chunk().await {
                Ok(Some(c)) => buf.extend_from_slice(&c),
                _ => break,
            }
        }
        buf.truncate(DETAIL_BYTES);
        Err(SendError::Status {
            status: status.as_u16(),
            detail: detail(&buf),
        })
    };
    // The client's own timeout covers the request; this one also covers the body read.
    match tokio::time::timeout(timeout, post).await {
        Ok(r) => r,
        Err(_) => Err(SendError::Timeout(timeout_secs)),
    }
}

/// Runs `program args...` directly (no shell), writes `stdin`, waits up to the timeout.
/// The child is killed if it overruns or if this future is dropped (on shutdown).
pub async fn exec(
    program: &str,
    args: &[String],
    stdin: Vec<u8>,
    timeout_secs: u64,
) -> Result<(), SendError> {
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| SendError::Spawn {
            program: program.to_string(),
            reason: e.to_string(),
        })?;
    let input = child.stdin.take();
    let errors = child.stderr.take();
    let run = async {
        let write = async {
            if let Some(mut pipe) = input {
                // A hook that ignores its input is fine: only the exit status counts.
                let _ = pipe.write_all(&stdin).await;
                let _ = pipe.shutdown().await;
            }
        };
        let read = async {
            let mut buf = Vec::new();
            if let Some(pipe) = errors {
                let _ = pipe.take(DETAIL_BYTES as u64).read_to_end(&mut buf).await;
            }
            buf
        };
        let ((), err, status) = tokio::join!(write, read, child.wait());
        (err, status)
    };
    let outcome = tokio::time::timeout(Duration::from_secs(timeout_secs), run).await;
    let (err, status) = match outcome {
        Ok(done) => done,
        Err(_) => {
            let _ = child.kill().await;
            return Err(SendError::Timeout(timeout_secs));
        }
    };
    let status = status.map_err(|e| SendError::Wait {
        program: program.to_string(),
        reason: e.to_string(),
    })?;
    if status.success() {
        return Ok(());
    }
    let detail = detail(&err);
    Err(match status.code() {
        Some(code) => SendError::Exit {
            program: program.to_string(),
            code,
            detail,
        },
        None => SendError::Signal {
            program: program.to_string(),
            detail,
        },
    })
}
