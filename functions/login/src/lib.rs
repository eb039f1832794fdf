//! The login function: accounts. Sign-up (by policy) and verification, sign-in, sign-out and
//! "who am I" over DynamoDB sessions, password reset and change, and following invitation links.
//!
//! - [`routes`]: the HTTP API (`/api/auth/*`), one axum router for Lambda and the dev server.
//! - [`accounts`]: registering a person and checking credentials (the use cases).
//! - [`password`]: the password rules and the argon2id hasher (domain).
//! - [`throttle`]: failed-attempt counters in DynamoDB (storage adapter).
//! - [`app`]: the composition root (configuration, pool, DynamoDB client → state);
//!   [`config`]: the environment variables this function reads.

pub mod accounts;
pub mod app;
pub mod config;
pub mod password;
pub mod respond;
pub mod routes;
pub mod throttle;

pub use app::{Clients, LoginState};
pub use config::LoginConfig;
pub use routes::router;
