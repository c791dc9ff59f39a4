//! An attached screen's commands, sent as the remote API's `POST`s with the bearer
//! token, and its answers turned back into the engine's [`CommandReply`] so the
//! status line says accepted, or refused and why, as it does locally. Quit ends the
//! attached screen only: it is never sent. With `--read-only` nothing is sent at all;
//! every command is refused here with that reason.

use super::{Target, Token};
use crate::domain::pace::SPEED_STEPS;
use crate::messages::command::{Command, CommandReply, Outcome, Request};
use crate::messages::replay::ReplayAction;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The API waits 2 s for its engine; this allows for the network on top.
pub const POST_TIMEOUT: Duration = Duration::from_secs(6);

#[derive(Clone, Debug)]
pub struct CommandsConfig {
    pub target: Target,
    pub token: Option<Token>,
    pub read_only: bool,
    pub timeout: Duration,
}

/// One `POST`: the path (under the API base) with its query, and the JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Post {
    pub path: String,
    pub body: Option<Value>,
    /// What it does, for a refusal's sentence ("failover", "acknowledge H1").
    pub what: String,
}

fn segment(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// The route that performs `cmd`; `None` for Quit, which stays on this side.
pub fn post_for(cmd: &Command) -> Option<Post> {
    let post = |path: String, what: String| Post {
        path,
        body: None,
        what,
    };
    Some(match cmd {
        Command::Quit => return None,
        Command::ReconnectAlpaca => post(
            "/api/health/alpaca/reconnect".into(),
            "reconnect Alpaca".into(),
        ),
        Command::ChangeWatchlist { add, remove } => Post {
            path: "/api/watchlist".into(),
            body: Some(serde_json::json!({ "add": add, "remove": remove })),
            what: "change the watchlist".into(),
        },
        Command::Failover(action) => post(
            format!("/api/health/failover?action={}", action.as_str()),
            format!("failover ({})", action.as_str()),
        ),
        Command::ResetBreaker(name) => post(
            format!("/api/breakers/{}/reset", segment(name)),
            format!("reset breaker {name}"),
        ),
        Command::ResetSymbolBreaker(sym) => post(
            format!("/api/validation/{}/reset", segment(sym)),
            format!("reset {sym}'s price breaker"),
        ),
        Command::AckAlert { id, .. } => post(
            format!("/api/alerts/{}/ack", segment(id)),
            format!("acknowledge {id}"),
        ),
        Command::SnoozeAlert { id, minutes, .. } => post(
            format!("/api/alerts/{}/snooze?minutes={minutes}", segment(id)),
            format!("snooze {id}"),
        ),
        Command::Replay(action) => {
            let (path, what) = match action {
                ReplayAction::TogglePause => ("pause".to_string(), "pause or resume the replay"),
                ReplayAction::Faster => ("faster".into(), "speed the replay up"),
                ReplayAction::Slower => ("slower".into(), "slow the replay down"),
                ReplayAction::Restart => ("restart".into(), "restart the replay"),
                ReplayAction::SetSpeed(step) => {
                    let speed = step
                        .and_then(|i| SPEED_STEPS.get(usize::from(i)))
                        .map_or_else(|| "max".to_string(), |f| f.to_string());
                    (format!("speed/{speed}"), "set the replay's speed")
                }
            };
            post(format!("/api/replay/{path}"), what.into())
        }
    })
}

/// The API's answer as the engine's decision: 200 done, 202 accepted, 404 not found,
/// 409 refused, 503 busy, anything else refused, each with the server's sentence.
pub fn reply_of(status: u16, body: &str, host: &str) -> CommandReply {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let said = field("message").or_else(|| field("error"));
    let outcome = match status {
        200 => Outcome::Done,
        202 => Outcome::Accepted,
        404 => Outcome::NotFound,
        503 => Outcome::Busy,
        _ => Outcome::Refused,
    };
    let message = match (status, said) {
        (401, _) => format!("{host}: 401: the server refused the token"),
        (200 | 202, Some(m)) => format!("{host}: {m}"),
        (200 | 202, None) => format!("{host}: done"),
        (_, Some(e)) => format!("{host} refused ({status}): {e}"),
        (_, None) => format!("{host} answered HTTP {status}"),
    };
    CommandReply::new(outcome, message)
}

/// Sends each command as it comes until the channel closes or `cancel` fires; one at
/// a time, in order, as the engine would take them.
pub async fn forward(
    cfg: CommandsConfig,
    client: reqwest::Client,
    mut rx: mpsc::Receiver<Request>,
    cancel: CancellationToken,
) {
    loop {
        let req = tokio::select! {
            () = cancel.cancelled() => return,
            r = rx.recv() => match r {
                Some(r) => r,
                None => return,
            },
        };
        let Some(post) = post_for(&req.command) else {
            continue;
        };
        let reply = if cfg.read_only {
            CommandReply::refused(format!(
                "read-only: {} not sent (attached with --read-only)",
                post.what
            ))
        } else {
            tokio::select! {
                () = cancel.cancelled() => return,
                r = send(&cfg, &client, &post) => r,
            }
        };
        Request::answer(req.reply, reply);
    }
}

async fn send(cfg: &CommandsConfig, client: &reqwest::Client, post: &Post) -> CommandReply {
    let host = &cfg.target.host;
    let mut rb = client
        .post(format!("{}{}", cfg.target.api_base, post.path))
        .timeout(cfg.timeout);
    if let Some(t) = &cfg.token {
        rb = rb.bearer_auth(t.secret.expose_secret());
    }
    if let Some(body) = &post.body {
        rb = rb
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    match rb.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            reply_of(status, &body, host)
        }
        Err(e) if e.is_timeout() && !e.is_connect() => CommandReply::new(
            Outcome::Busy,
            format!(
                "{}: no answer from {host} within {} s; it may still take effect (the event log will say)",
                post.what,
                cfg.timeout.as_secs()
            ),
        ),
        Err(e) => CommandReply::new(
            Outcome::Busy,
            format!(
                "{}: not delivered to {host}: {}",
                post.what,
                crate::plumbing::http::describe_error(&e)
            ),
        ),
    }
}
