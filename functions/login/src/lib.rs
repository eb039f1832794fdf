//! The login function: sign-up, sign-in, sign-out and "who am I", over DynamoDB sessions.
//!
//! - [`routes`]: the HTTP API (`/api/auth/*`), one axum router for Lambda and the dev server.
//! - [`password`]: the password rules and the argon2id hasher (domain).
//! - [`throttle`]: failed-attempt counters in DynamoDB (storage adapter).
//! - [`config`]: the environment variables this function reads.

pub mod accounts;
pub mod config;
pub mod password;
pub mod routes;
pub mod throttle;

pub use config::LoginConfig;
pub use routes::{LoginState, router};
