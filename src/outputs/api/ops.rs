//! The router, breaker and validation endpoints: `GET /api/health/datasource`,
//! `/api/health/stocks`, `/api/health/circuit-breakers`, `/api/validation`, and the
//! operator actions `POST /api/health/failover`, `/api/breakers/{name}/reset` and
//! `/api/validation/{symbol}/reset`. Reads come from the snapshot; actions are commands.

use super::dto::{status_of, HealthStatus};
use super::{command, ApiState};
use crate::domain::types::{parse_symbol, Ts};
use crate::messages::command::FailoverAction;
use crate::messages::Command;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::Reply;

fn bad(msg: String) -> Reply {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": msg })),
    )
}

pub(super) async fn datasource(
    State(s): State<ApiState>,
) -> Json<crate::domain::router::RouterView> {
    let snap = s.snapshots.borrow().clone();
    Json(snap.router.clone())
}

/// `GET /api/health/stocks`, shaped like the runbook's RUNBOOK-001 example.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StocksHealth {
    pub status: HealthStatus,
    pub current_data_source: crate::domain::types::Label,
    pub connection_state: crate::domain::router::RouterState,
    pub alpaca: AlpacaSide,
    pub yahoo: YahooSide,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlpacaSide {
    pub connected: bool,
    pub state: crate::messages::LinkState,
    pub last_error: Option<String>,
    pub last_message_at: Option<Ts>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct YahooSide {
    /// False while its breaker is open or it keeps failing; null before any answer.
    pub healthy: Option<bool>,
    pub polling: crate::domain::types::Label,
    pub last_ok_at: Option<Ts>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
}

pub(super) async fn stocks(State(s): State<ApiState>) -> Json<StocksHealth> {
    let snap = s.snapshots.borrow().clone();
    let y = &snap.yahoo;
    Json(StocksHealth {
        status: status_of(&snap),
        current_data_source: snap.router.current_data_source.clone(),
        connection_state: snap.router.connection_state,
        alpaca: AlpacaSide {
            connected: snap.alpaca.state.is_connected(),
            state: snap.alpaca.state,
            last_error: snap.alpaca.last_error.clone(),
            last_message_at: snap.alpaca.last_message_at,
        },
        yahoo: YahooSide {
            healthy: y.healthy,
            polling: y.polling.clone(),
            last_ok_at: y.last_ok_at,
            last_error: y.last_error.clone(),
            consecutive_failures: y.consecutive_failures,
        },
    })
}

pub(super) async fn breakers(State(s): State<ApiState>) -> Json<serde_json::Value> {
    let snap = s.snapshots.borrow().clone();
    Json(serde_json::json!({ "breakers": snap.breakers }))
}

pub(super) async fn validation(
    State(s): State<ApiState>,
) -> Json<crate::domain::validate::ValidationView> {
    let snap = s.snapshots.borrow().clone();
    Json(snap.validation.clone())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailoverParams {
    pub action: Option<String>,
}

/// `POST /api/health/failover` forces the fallback, as the runbook expects;
/// `?action=return` goes back to the primary and `?action=toggle` flips (the `f` key).
pub(super) async fn failover(
    State(s): State<ApiState>,
    params: Result<Query<FailoverParams>, axum::extract::rejection::QueryRejection>,
) -> Reply {
    let action = match params {
        Ok(Query(p)) => p.action.unwrap_or_else(|| "force".into()),
        Err(e) => return bad(format!("POST /api/health/failover: {}", e.body_text())),
    };
    let Some(action) = FailoverAction::parse(&action) else {
        return bad(format!(
            "POST /api/health/failover: action {action:?} is not one of force, return, toggle"
        ));
    };
    command(&s, Command::Failover(action), action.as_str()).await
}

pub(super) async fn reset_breaker(State(s): State<ApiState>, Path(name): Path<String>) -> Reply {
    use crate::messages::command::ALPACA_REST;
    use crate::messages::command::ALPACA_STREAM;
    use crate::messages::command::YAHOO_HTTP;
    if ![YAHOO_HTTP, ALPACA_STREAM, ALPACA_REST].contains(&name.as_str()) {
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": format!(
                "no upstream breaker named {name:?} (expected {YAHOO_HTTP}, {ALPACA_STREAM} or {ALPACA_REST})"
            )})),
        );
    }
    command(&s, Command::ResetBreaker(name), "reset").await
}

pub(super) async fn reset_symbol_breaker(
    State(s): State<ApiState>,
    Path(symbol): Path<String>,
) -> Reply {
    match parse_symbol(&symbol) {
        Ok(sym) => command(&s, Command::ResetSymbolBreaker(sym), "reset").await,
        Err(m) => bad(format!("POST /api/validation/{{symbol}}/reset: {m}")),
    }
}

/// `GET /api/positions`: P&L marked to the routed prices, with totals and risk flags.
/// Money is exact decimal text (as Alpaca's Trading API sends it), never a float.
pub(super) async fn positions(State(s): State<ApiState>) -> Json<serde_json::Value> {
    let snap = s.snapshots.borrow().clone();
    Json(serde_json::json!({
        "portfolio": snap.portfolio,
        "tradingApi": snap.rest,
    }))
}

/// `GET /api/account`: the broker account from `GET /v2/account`, or why there is none.
pub(super) async fn account(State(s): State<ApiState>) -> Reply {
    let snap = s.snapshots.borrow().clone();
    match &snap.account {
        Some(a) => (
            StatusCode::OK,
            Json(serde_json::json!({ "account": a, "tradingApi": snap.rest })),
        ),
        None => {
            let why = if !snap.rest.enabled {
                "no Alpaca credentials configured: positions come from config lots only".to_string()
            } else {
                match &snap.rest.last_error {
                    Some(e) => format!("the Trading API has not answered yet: {e}"),
                    None => "the Trading API has not answered yet".to_string(),
                }
            };
            (
                StatusCode::NOT_FOUND,
                Json(serde_json::json!({ "error": why, "tradingApi": snap.rest })),
            )
        }
    }
}

/// `GET /api/alerts`: pending and firing alerts, with runbook ids and first steps,
/// the recently resolved ones, the history (fired, resolved, acknowledged and snoozed,
/// with who: engine, tui or api; newest first) and the notification channels' counters.
pub(super) async fn alerts(State(s): State<ApiState>) -> Json<serde_json::Value> {
    let snap = s.snapshots.borrow().clone();
    let mut body = serde_json::to_value(super::dto::AlertsBody {
        alerts: snap.alerts.clone(),
        history: snap.alert_history.clone(),
        notifications: snap.notifications.clone(),
    })
    .unwrap_or_default();
    // The catalogue's first steps curl the reference's localhost:5002; an on-call
    // engineer pastes them, so they name the address this API really listens on.
    for list in ["active", "recentlyResolved"] {
        let alerts = body.get_mut(list).and_then(serde_json::Value::as_array_mut);
        for a in alerts.into_iter().flatten() {
            if let Some(serde_json::Value::String(step)) = a.get_mut("firstStep") {
                *step = crate::domain::alerts::runbooks::at_api(step, snap.api_base.as_deref());
            }
        }
    }
    Json(body)
}

/// `GET /api/slo`: each SLO's SLI, error budget left and burn rates.
pub(super) async fn slo(State(s): State<ApiState>) -> Json<crate::domain::slo::SloReport> {
    let snap = s.snapshots.borrow().clone();
    Json(snap.slo.clone())
}

pub(super) async fn ack_alert(State(s): State<ApiState>, Path(id): Path<String>) -> Reply {
    if let Err(r) = alert_id(&id) {
        return r;
    }
    let cmd = Command::AckAlert {
        id,
        actor: crate::domain::alerts::Actor::Api,
    };
    command(&s, cmd, "acknowledged").await
}

/// Taken as text so a bad value is answered in our words, naming the parameter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnoozeParams {
    pub minutes: Option<String>,
}

/// `POST /api/alerts/{id}/snooze?minutes=30` (default 30, at most a day).
pub(super) async fn snooze_alert(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    params: Result<Query<SnoozeParams>, axum::extract::rejection::QueryRejection>,
) -> Reply {
    if let Err(r) = alert_id(&id) {
        return r;
    }
    let minutes = match params {
        Ok(Query(p)) => p.minutes,
        Err(e) => return bad(format!("POST /api/alerts/{{id}}/snooze: {}", e.body_text())),
    };
    let minutes = match minutes.as_deref().map(str::parse::<u32>) {
        None => 30,
        Some(Ok(m)) if (1..=1440).contains(&m) => m,
        Some(_) => {
            return bad(format!(
                "POST /api/alerts/{{id}}/snooze: minutes={:?} is not a whole number of minutes from 1 to 1440",
                minutes.unwrap_or_default()
            ))
        }
    };
    let cmd = Command::SnoozeAlert {
        id,
        minutes,
        actor: crate::domain::alerts::Actor::Api,
    };
    command(&s, cmd, "snoozed").await
}

/// An id the catalogue knows ("H1") or a rule name ("AlpacaDisconnected").
fn alert_id(id: &str) -> Result<(), Reply> {
    match crate::domain::alerts::catalog::find(id) {
        Some(_) => Ok(()),
        None => Err((
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": format!(
                "unknown alert {id:?} (expected an id like \"H1\" or a name like \"AlpacaDisconnected\"; GET /api/alerts lists them)"
            )})),
        )),
    }
}
