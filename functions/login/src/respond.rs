//! What the login handlers share: the client's address, `Cache-Control: no-store`, and answers
//! that take the same time whatever the account's state.

use std::future::Future;
use std::time::Duration;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use taskboard_http::{ApiError, ClientAddr};

use crate::app::LoginState;

/// Sign-up, "forgot password" and accepting an invitation do different work for an address that
/// has an account and one that has none (a mail or not, an insert or not). Each answers no sooner
/// than this after it started, so the time cannot tell the two apart: the slowest path measured
/// locally (hash, insert, token, SES) stays under 150 ms.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(250);

/// Run `work`, then wait out the rest of [`ANSWER_FLOOR`].
pub async fn steady<T>(work: impl Future<Output = T>) -> T {
    let until = tokio::time::Instant::now() + ANSWER_FLOOR;
    let out = work.await;
    if tokio::time::Instant::now() > until {
        tracing::warn!(
            floor_ms = ANSWER_FLOOR.as_millis() as u64,
            "account answer took longer than its floor"
        );
    }
    tokio::time::sleep_until(until).await;
    out
}

pub fn no_store() -> (header::HeaderName, HeaderValue) {
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// `202 {"status": …}`: the answer that tells nothing about the account behind it ("we sent you
/// an e-mail, or not"; "accepted").
pub fn accepted_202(status: &'static str) -> Response {
    #[derive(serde::Serialize)]
    struct Status {
        status: &'static str,
    }
    (StatusCode::ACCEPTED, [no_store()], Json(Status { status })).into_response()
}

/// Count one account e-mail to `email` against its cap: `429` when over.
pub async fn admit_mail(
    state: &LoginState,
    email: &taskboard_domain::EmailAddress,
) -> Result<(), ApiError> {
    match state
        .0
        .mail
        .admit(email)
        .await
        .map_err(ApiError::internal)?
    {
        None => Ok(()),
        Some(retry_after_secs) => Err(ApiError::TooManyRequests { retry_after_secs }),
    }
}

/// The client's address, resolved with the configured trusted header.
pub struct ClientAddrOf(pub ClientAddr);

impl FromRequestParts<LoginState> for ClientAddrOf {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoginState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(ClientAddr::from_parts(
            parts,
            state.0.client_ip_header.as_deref(),
        )))
    }
}
