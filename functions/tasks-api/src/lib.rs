//! The tasks-api function: the team's tasks, who may change them, and a history of every change
//! that can never be lost.
//!
//! - [`routes`]: the HTTP API, every route in one place.
//! - [`rules`]: the domain rules (valid input, who may do what, which event a change is).
//! - [`store`]: MySQL adapter; task row and outbox row in one transaction.
//! - [`changelog`]: DynamoDB adapter for the change log (`task_log`).
//! - [`relay`]: outbox → change log → EventBridge, inline and on a schedule.
//! - [`config`]: the environment variables this function reads.

pub mod changelog;
pub mod config;
pub mod relay;
pub mod routes;
pub mod rules;
pub mod store;

pub use config::{RelayConfig, TasksConfig};
pub use routes::{TasksState, router};

/// The OpenAPI 3.1 document for all of `/api`, served at `/api/openapi.json`.
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");
