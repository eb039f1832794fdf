//! The tasks-api function: the team's tasks, who may change them, and a history of every change
//! that can never be lost. A request flows down this list:
//!
//! - [`routes`]: the HTTP API, every route a thin handler (`routes/{tasks,projects,admin}.rs`);
//!   [`respond`]: what they share.
//! - [`request`]: what a valid request is (bodies, the list's query and cursor, `If-Match`).
//! - [`decide`]: the rules as pure decisions: the change to make and its event, or a refusal.
//! - [`store`]: the write transaction (lock, decide, write the row, append the event) and reads
//!   (`store/listing.rs` is the board's page query, `store/rows.rs` re-parses rows).
//! - [`projects`]: projects and members (storage and the membership rules).
//! - [`outbox`]: the outbox table, appended in the write's transaction.
//! - [`relay`]: outbox → [`changelog`] (DynamoDB `task_log`), whose stream the publisher
//!   function (`functions/publisher`) takes to EventBridge.
//! - [`deliveries`]: who was e-mailed about each change and how it went (the notifier's records).
//! - [`first_admin`]: the invitation that makes a fresh deployment's first administrator.
//! - [`app`]: the composition root (configuration, pool and AWS clients → state); [`config`]: the
//!   environment variables this function reads.

pub mod app;
pub mod changelog;
pub mod config;
pub mod decide;
pub mod deliveries;
pub mod diff;
pub mod first_admin;
pub mod outbox;
pub mod precondition;
pub mod projects;
pub mod relay;
pub mod request;
pub mod respond;
pub mod routes;
pub mod store;

pub use app::{Clients, TasksState};
pub use config::{RelayConfig, TasksConfig};
pub use routes::router;

/// The OpenAPI 3.1 document for all of `/api`, served at `/api/openapi.json`.
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");
