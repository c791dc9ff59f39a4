//! The HTTP API (axum): health and symbol endpoints with the runbook's paths and
//! camelCase field names. Handlers only read the latest snapshot; actions go to the
//! engine as commands, and the answer is the engine's decision (see `command`).
//! Binding beyond loopback needs a token, and every mutating endpoint then needs
//! `Authorization: Bearer <token>`.

mod auth;
mod dto;
mod ops;
mod replay;
pub mod stream;
mod tape_dto;

use crate::engine::snapshot::Snapshot;
use crate::messages::command::CommandReply;
use crate::messages::command::Outcome;
use crate::messages::Command;
use crate::messages::Request;
use crate::plumbing::channels::try_send_counted;
use crate::plumbing::channels::Meters;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

pub use auth::require_bearer;
pub use dto::{health_of, symbols_of, HealthStatus};

#[derive(Clone)]
pub struct ApiState {
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    pub commands: mpsc::Sender<Request>,
    pub meters: Meters,
    pub token: Option<Arc<SecretString>>,
    /// Prometheus exposition (`/metrics`, `/api/metrics`).
    pub exporter: Option<Arc<crate::outputs::exposition::Exporter>>,
}

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("--listen {addr}: refusing to serve the API on a non-loopback address without api.token set in the config")]
    NoTokenForPublicBind { addr: SocketAddr },
    #[error("--listen {addr}: cannot bind the API: {cause}")]
    Bind {
        addr: SocketAddr,
        /// In the message, and deliberately not the error's `source()`: anyhow's `{:#}`
        /// prints the source after the message, so it would show twice.
        cause: std::io::Error,
    },
}

/// Loopback needs nothing; anything else needs a token, because the API can act.
pub fn check_bind(addr: SocketAddr, token_set: bool) -> Result<(), ApiError> {
    if addr.ip().is_loopback() || token_set {
        Ok(())
    } else {
        Err(ApiError::NoTokenForPublicBind { addr })
    }
}

pub async fn bind(addr: SocketAddr, token_set: bool) -> Result<tokio::net::TcpListener, ApiError> {
    check_bind(addr, token_set)?;
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|cause| ApiError::Bind { addr, cause })
}

pub fn router(state: ApiState) -> Router {
    let mutating = Router::new()
        .route("/api/health/alpaca/reconnect", post(reconnect))
        .route("/api/watchlist", post(change_watchlist))
        .route("/api/health/failover", post(ops::failover))
        .route("/api/breakers/{name}/reset", post(ops::reset_breaker))
        .route(
            "/api/validation/{symbol}/reset",
            post(ops::reset_symbol_breaker),
        )
        .route("/api/alerts/{id}/ack", post(ops::ack_alert))
        .route("/api/alerts/{id}/snooze", post(ops::snooze_alert))
        .route("/api/replay/{action}", post(replay::control))
        .route("/api/replay/speed/{value}", post(replay::speed));
    Router::new()
        .route("/health", get(health))
        .route("/api/health/datasource", get(ops::datasource))
        .route("/api/health/stocks", get(ops::stocks))
        .route("/api/health/circuit-breakers", get(ops::breakers))
        .route("/api/breakers", get(ops::breakers))
        .route("/api/validation", get(ops::validation))
        .route("/api/positions", get(ops::positions))
        .route("/api/alerts", get(ops::alerts))
        .route("/api/slo", get(ops::slo))
        .route("/api/account", get(ops::account))
        .route("/metrics", get(metrics_text))
        .route("/api/metrics", get(metrics_text))
        .route("/api/symbols", get(symbols))
        .route("/api/health/alpaca", get(alpaca_health))
        .merge(guard_mutating(mutating, &state))
        .with_state(state)
}

/// Puts the bearer check in front of every route in `routes`: every mutating
/// endpoint is registered through this.
pub fn guard_mutating(routes: Router<ApiState>, state: &ApiState) -> Router<ApiState> {
    routes.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        require_bearer,
    ))
}

async fn health(axum::extract::State(s): axum::extract::State<ApiState>) -> Json<dto::Health> {
    let snap = s.snapshots.borrow().clone();
    Json(health_of(&snap))
}

async fn alpaca_health(
    axum::extract::State(s): axum::extract::State<ApiState>,
) -> Json<dto::AlpacaHealth> {
    let snap = s.snapshots.borrow().clone();
    Json(dto::alpaca_health_of(&snap))
}

/// How long a command's caller waits for the engine's decision. The engine answers
/// within one loop turn; only a stalled engine takes longer.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(2);

type Reply = (StatusCode, Json<serde_json::Value>);

fn failure(code: StatusCode, status: &str, error: &str) -> Reply {
    (
        code,
        Json(serde_json::json!({ "status": status, "error": error })),
    )
}

/// Sends a command and answers with what the engine decided: 200 done, 202 accepted
/// (a task finishes it), 404 no such thing, 409 refused with the reason, 503 the
/// command channel (or the stream task's) is full or the engine is gone, 504 no answer
/// within [`REPLY_TIMEOUT`]. A full command channel is refused, never waited on.
/// `ok` is the `status` of a success.
async fn command(s: &ApiState, cmd: Command, ok: &'static str) -> Reply {
    let (req, answer) = Request::with_reply(cmd);
    if let Err(e) = try_send_counted(&s.commands, &s.meters.commands, req) {
        return failure(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            &e.to_string(),
        );
    }
    match tokio::time::timeout(REPLY_TIMEOUT, answer).await {
        Ok(Ok(reply)) => reply_of(reply, ok),
        Ok(Err(_)) => failure(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the engine stopped before answering",
        ),
        Err(_) => failure(
            StatusCode::GATEWAY_TIMEOUT,
            "unknown",
            &format!(
                "the engine did not answer within {} s; the command may still take effect (the event log will say)",
                REPLY_TIMEOUT.as_secs()
            ),
        ),
    }
}

fn reply_of(reply: CommandReply, ok: &'static str) -> Reply {
    let CommandReply { outcome, message } = reply;
    let success = |code| {
        (
            code,
            Json(serde_json::json!({ "status": ok, "message": message })),
        )
    };
    match outcome {
        Outcome::Done => success(StatusCode::OK),
        Outcome::Accepted => success(StatusCode::ACCEPTED),
        Outcome::NotFound => failure(StatusCode::NOT_FOUND, "not_found", &message),
        Outcome::Refused => failure(StatusCode::CONFLICT, "refused", &message),
        Outcome::Busy => failure(StatusCode::SERVICE_UNAVAILABLE, "unavailable", &message),
    }
}

async fn reconnect(axum::extract::State(s): axum::extract::State<ApiState>) -> Reply {
    command(&s, Command::ReconnectAlpaca, "reconnecting").await
}

/// `{"add":["NFLX"],"remove":["AMD"]}`: the engine applies it and the live stream
/// subscribes to match; `/api/symbols` and `/api/health/alpaca` show the result.
async fn change_watchlist(
    axum::extract::State(s): axum::extract::State<ApiState>,
    body: Result<Json<dto::WatchlistChange>, axum::extract::rejection::JsonRejection>,
) -> Reply {
    let bad = |msg: String| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": msg })),
        )
    };
    let change = match body {
        Ok(Json(c)) => c,
        Err(e) => return bad(format!("POST /api/watchlist: {}", e.body_text())),
    };
    let parse = |key: &str, list: &[String]| -> Result<Vec<crate::domain::types::Symbol>, String> {
        list.iter()
            .enumerate()
            .map(|(i, s)| {
                crate::domain::types::parse_symbol(s)
                    .map_err(|m| format!("POST /api/watchlist: {key}[{i}]: {m}"))
            })
            .collect()
    };
    let (add, remove) = match (parse("add", &change.add), parse("remove", &change.remove)) {
        (Ok(a), Ok(r)) => (a, r),
        (Err(m), _) | (_, Err(m)) => return bad(m),
    };
    if add.is_empty() && remove.is_empty() {
        return bad(
            "POST /api/watchlist: give at least one symbol in \"add\" or \"remove\"".into(),
        );
    }
    command(&s, Command::ChangeWatchlist { add, remove }, "changed").await
}

/// The Prometheus text exposition format, version 0.0.4.
async fn metrics_text(
    axum::extract::State(s): axum::extract::State<ApiState>,
) -> (
    StatusCode,
    [(axum::http::header::HeaderName, &'static str); 1],
    String,
) {
    let ct = axum::http::header::CONTENT_TYPE;
    let snap = s.snapshots.borrow().clone();
    match s.exporter.as_ref() {
        Some(e) => (
            StatusCode::OK,
            [(ct, "text/plain; version=0.0.4; charset=utf-8")],
            e.render(&snap),
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(ct, "text/plain; charset=utf-8")],
            "metrics are not enabled in this process\n".into(),
        ),
    }
}

async fn symbols(
    axum::extract::State(s): axum::extract::State<ApiState>,
) -> Json<Vec<dto::SymbolDto>> {
    let snap = s.snapshots.borrow().clone();
    Json(symbols_of(&snap))
}

/// Serves until `cancel` fires, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}

#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod ops_tests;
#[cfg(test)]
mod tests;
