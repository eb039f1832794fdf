//! What every tasks-api handler shares: turning refusals into answers, path ids into 404s, the
//! abuse cap on writes, relaying what a write appended, and `Cache-Control: no-store`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use taskboard_core::rate::Admission;
use taskboard_domain::UserId;
use taskboard_domain::events::TaskSnapshot;
use taskboard_http::ApiError;

use crate::app::TasksState;
use crate::decide::Refusal;
use crate::outbox::Appended;
use crate::projects::MemberRefusal;
use crate::store::WriteError;

/// A path segment that should be an id of some kind; a malformed one names nothing: 404.
pub fn path_id<T, E>(raw: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, ApiError> {
    parse(raw).map_err(|_| ApiError::NotFound)
}

/// Count one action against an abuse cap; over it, `429` with `Retry-After`.
pub async fn cap(
    state: &TasksState,
    scope: &'static str,
    subject: &str,
    limit: taskboard_core::rate::RateLimit,
) -> Result<(), ApiError> {
    match state.0.limiter.hit(scope, subject, limit).await {
        Ok(Admission::Allowed { .. }) => Ok(()),
        Ok(Admission::Limited {
            retry_after_secs, ..
        }) => {
            tracing::warn!(scope, "abuse cap reached");
            Err(ApiError::TooManyRequests { retry_after_secs })
        }
        Err(err) => Err(ApiError::internal(err)),
    }
}

/// The per-account cap on task writes.
pub async fn cap_writes(state: &TasksState, who: UserId) -> Result<(), ApiError> {
    cap(state, "task-writes", &who.to_string(), state.0.task_writes).await
}

/// Relay what a write appended right away, within one inline budget for all of them (an
/// off-boarding appends one event per task it unassigns); the scheduled relay is the net.
pub async fn relay(state: &TasksState, appended: &[Appended]) {
    state.0.relay.relay_all_now(appended).await;
}

pub fn write_error(err: WriteError) -> ApiError {
    match err {
        WriteError::Refused(Refusal::NotFound) => ApiError::NotFound,
        WriteError::Refused(Refusal::Forbidden(why)) => ApiError::Forbidden(why.to_owned()),
        WriteError::Refused(Refusal::VersionMismatch { current }) => {
            ApiError::PreconditionFailed(format!(
                "Someone else changed this task (it is now at version {current}). Reload it and try again."
            ))
        }
        WriteError::Refused(Refusal::UnknownAssignee) => {
            ApiError::field("assignee_id", "no member of this project has this id")
        }
        WriteError::Refused(Refusal::UnknownActor) => ApiError::Unauthenticated,
        WriteError::Refused(Refusal::Archived) => archived(),
        WriteError::Failed(failure) => ApiError::internal(failure),
    }
}

pub fn archived() -> ApiError {
    ApiError::Conflict {
        slug: "project-archived",
        detail: "This project is archived: unarchive it to change its tasks.".into(),
    }
}

pub fn member_refusal(refusal: MemberRefusal) -> ApiError {
    match refusal {
        MemberRefusal::NotFound => ApiError::NotFound,
        MemberRefusal::NotOwner => {
            ApiError::Forbidden("Only the project's owners can do this.".into())
        }
        MemberRefusal::LastOwner => ApiError::Conflict {
            slug: "last-owner",
            detail: "A project needs an owner: make someone else an owner first.".into(),
        },
    }
}

pub fn task_response(status: StatusCode, task: &TaskSnapshot) -> Response {
    let mut response = (status, [no_store()], Json(task)).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", task.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// `200` with `body` as JSON, not to be cached.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, [no_store()], Json(body)).into_response()
}

pub fn no_store() -> (header::HeaderName, HeaderValue) {
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// A list answer: `{"items": [...]}`.
#[derive(Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}
