//! What every Taskboard function shares.
//!
//! - [`domain`]: types that can only hold valid values (e-mail addresses, user ids, names).
//! - [`http`]: the HTTP edge: problem+json errors, the JSON extractor, CSRF guard, the
//!   authenticated-user extractor, cookies and the one-line-per-request log.
//! - [`storage`]: adapters to MySQL (users, migrations) and DynamoDB (sessions, table specs).
//! - [`config`], [`telemetry`], [`aws`]: start-up concerns, done once per process.

pub mod aws;
pub mod bus;
pub mod config;
pub mod domain;
pub mod events;
pub mod http;
pub mod session_config;
pub mod storage;
pub mod telemetry;
pub mod time;
