//! The HTTP edge shared by the functions' routers.

mod auth;
mod client;
mod cookie;
mod csrf;
mod json;
mod problem;
mod request_log;
mod router;

pub use auth::{AuthError, Authenticated, HasSessions};
pub use client::ClientAddr;
pub use cookie::{CookiePolicy, SiteUrl, SiteUrlError};
pub use csrf::{CSRF_HEADER, csrf_guard};
pub use json::{ApiJson, MAX_JSON_BODY_BYTES};
pub use problem::{ApiError, FieldError, PROBLEM_JSON};
pub use request_log::request_log;
pub use router::finish as finish_router;
