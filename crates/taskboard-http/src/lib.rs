//! The HTTP edge both API functions share: problem+json errors (`docs/decisions.md#7-errors`),
//! the JSON extractor, the CSRF guard and the session cookie (`docs/decisions.md#1-same-origin-cookie-sessions`),
//! the signed-in-user extractor, the client's address, the check that a request came through the
//! site's CloudFront distribution, and the one-line-per-request log.
//! [`finish_router`] wraps a function's routes in all of it.

mod auth;
mod client;
mod cookie;
mod csrf;
mod json;
mod lambda;
pub mod origin;
mod problem;
mod request_log;
mod router;
pub mod session_config;
mod unavailable;

pub use auth::{AuthError, Authenticated, HasSessions};
pub use client::ClientAddr;
pub use cookie::CookiePolicy;
pub use csrf::{CSRF_HEADER, csrf_guard};
pub use json::{ApiJson, MAX_JSON_BODY_BYTES, not_null, present};
pub use lambda::run_lambda;
pub use origin::OriginSecrets;
pub use problem::{ApiError, PROBLEM_JSON, UNAVAILABLE_RETRY_AFTER_SECS};
pub use request_log::request_log;
pub use router::finish as finish_router;
pub use session_config::SessionConfig;
