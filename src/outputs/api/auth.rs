//! Bearer-token check for mutating endpoints, compared in constant time.

use super::ApiState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

/// Passes the request on when no token is configured (loopback only, enforced at
/// bind time) or when it carries `Authorization: Bearer <token>`.
pub async fn require_bearer(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let Some(token) = state.token.as_ref() else {
        return next.run(req).await;
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let expected = token.expose_secret().as_bytes();
    if bool::from(presented.as_bytes().ct_eq(expected)) && !expected.is_empty() {
        next.run(req).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            axum::Json(serde_json::json!({"error": "missing or wrong bearer token"})),
        )
            .into_response()
    }
}
