//! `POST /api/replay/{pause|faster|slower|restart}` and `/api/replay/speed/{N|max}`:
//! the replay controls of the TUI (Space, `+`, `-`, `R`, `:speed`) for an attached
//! screen or a script. The engine decides, as for the keys: outside a replay, or
//! where a restart cannot reopen the fixture (a headless replay), it refuses and
//! says why.

use super::{command, failure, ApiState, Reply};
use crate::domain::pace::SPEED_STEPS;
use crate::messages::replay::ReplayAction;
use crate::messages::Command;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub(super) async fn control(State(s): State<ApiState>, Path(action): Path<String>) -> Reply {
    let (action, ok) = match action.as_str() {
        "pause" => (ReplayAction::TogglePause, "toggled"),
        "faster" => (ReplayAction::Faster, "faster"),
        "slower" => (ReplayAction::Slower, "slower"),
        "restart" => (ReplayAction::Restart, "restarted"),
        other => {
            return failure(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!(
                    "POST /api/replay/{other}: no such control (pause, faster, slower, restart, speed/N)"
                ),
            )
        }
    };
    command(&s, Command::Replay(action), ok).await
}

pub(super) async fn speed(State(s): State<ApiState>, Path(value): Path<String>) -> Reply {
    let step = if value == "max" {
        None
    } else {
        let found = value
            .parse::<f64>()
            .ok()
            .and_then(|f| SPEED_STEPS.iter().position(|&x| x == f))
            .and_then(|i| u8::try_from(i).ok());
        match found {
            Some(i) => Some(i),
            None => {
                let steps: Vec<String> = SPEED_STEPS.iter().map(f64::to_string).collect();
                return failure(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    &format!(
                        "POST /api/replay/speed/{value}: the speed is one of {} or max",
                        steps.join(", ")
                    ),
                );
            }
        }
    };
    command(&s, Command::Replay(ReplayAction::SetSpeed(step)), "speed").await
}
