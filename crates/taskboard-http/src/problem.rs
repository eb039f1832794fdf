//! Errors as `application/problem+json` (RFC 9457).
//!
//! Every problem has a stable `type` (`urn:taskboard:problem:<slug>`) that clients can switch on,
//! a human `title`, the `status`, and for validation a list of field errors. Internal detail never
//! reaches a client: it is logged with the request id and the client sees a generic 500.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use taskboard_domain::FieldError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// `Retry-After` on a 503: long enough for a retried call to find a brief outage over, short
/// enough that a person retrying by hand is not kept waiting.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Everything an API handler can answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON")]
    MalformedJson(String),
    #[error("the request is invalid")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("authentication required")]
    Unauthenticated,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("cross-site request rejected")]
    CsrfRejected(&'static str),
    #[error("forbidden")]
    Forbidden(String),
    #[error("sign-up is closed")]
    SignupClosed,
    #[error("refused: {slug}")]
    Denied { slug: &'static str, detail: String },
    #[error("the link is invalid or has expired")]
    InvalidToken,
    #[error("the e-mail address is not verified")]
    EmailUnverified,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict")]
    Conflict { slug: &'static str, detail: String },
    #[error("precondition failed")]
    PreconditionFailed(String),
    /// A change to something versioned sent without `If-Match`.
    #[error("precondition required")]
    PreconditionRequired,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// A dependency (DynamoDB, MySQL) timed out or could not be reached: nothing is wrong with
    /// the request. Nothing was changed, except in the rare case of a database connection broken
    /// during the commit itself. 503 with `Retry-After`.
    #[error("service unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// Wrap any storage or SDK error. It is logged in full and shown to nobody. One that says a
    /// dependency is unavailable (anywhere in its chain of causes) becomes a 503.
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        if crate::unavailable::is_unavailable(&err) {
            Self::Unavailable(Box::new(err))
        } else {
            Self::Internal(Box::new(err))
        }
    }

    /// Seconds to wait before trying again, for the answers that have one.
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyRequests { retry_after_secs } => Some((*retry_after_secs).max(1)),
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    pub fn field(field: impl Into<String>, message: impl ToString) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str, Option<String>) {
        use ApiError::*;
        match self {
            MalformedJson(detail) => (
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "The request body is not valid JSON",
                Some(detail.clone()),
            ),
            BadRequest(detail) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "The request is invalid",
                Some(detail.clone()),
            ),
            Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Some fields are invalid",
                None,
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send the body as application/json",
                None,
            ),
            PayloadTooLarge { limit_bytes } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The request body is too large",
                Some(format!("The limit is {limit_bytes} bytes.")),
            ),
            Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign in to continue",
                None,
            ),
            InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "The e-mail address or password is wrong",
                None,
            ),
            CsrfRejected(detail) => (
                StatusCode::FORBIDDEN,
                "csrf",
                "Cross-site request rejected",
                Some((*detail).to_owned()),
            ),
            Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "You are not allowed to do this",
                Some(detail.clone()),
            ),
            SignupClosed => (
                StatusCode::FORBIDDEN,
                "signup-closed",
                "Sign-up is by invitation only",
                Some("Ask a project owner to invite you.".into()),
            ),
            Denied { slug, detail } => (
                StatusCode::FORBIDDEN,
                slug,
                "You are not allowed to do this",
                Some(detail.clone()),
            ),
            InvalidToken => (
                StatusCode::BAD_REQUEST,
                "invalid-token",
                "This link is invalid or has expired",
                Some("Links work once and for a limited time. Ask for a new one.".into()),
            ),
            EmailUnverified => (
                StatusCode::FORBIDDEN,
                "email-unverified",
                "Confirm your e-mail address first",
                Some("Follow the link in the e-mail we sent you, then sign in.".into()),
            ),
            NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found", None),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "This method is not allowed here",
                None,
            ),
            Conflict { slug, detail } => (
                StatusCode::CONFLICT,
                slug,
                "The request conflicts with the current state",
                Some(detail.clone()),
            ),
            PreconditionFailed(detail) => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "The resource has changed",
                Some(detail.clone()),
            ),
            PreconditionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "Say which version you are changing",
                Some("Send the task's ETag as If-Match (or * to change whatever version is current), so a change made meanwhile is not overwritten.".into()),
            ),
            TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many attempts; try again later",
                None,
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is briefly unavailable",
                Some("Try again in a few seconds.".into()),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side",
                None,
            ),
        }
    }
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
    /// Extension member on 429 and 503: the same seconds as the `Retry-After` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(err) => {
                tracing::error!(error = %err, source = ?err.source(), "request failed")
            }
            ApiError::Unavailable(err) => {
                tracing::warn!(error = %err, "a dependency is unavailable; answered 503")
            }
            _ => {}
        }
        let (status, slug, title, detail) = self.parts();
        let errors = match &self {
            ApiError::Validation(fields) => Some(fields.as_slice()),
            _ => None,
        };
        let body = ProblemBody {
            kind: format!("urn:taskboard:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail,
            errors,
            retry_after: self.retry_after(),
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (status, bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
