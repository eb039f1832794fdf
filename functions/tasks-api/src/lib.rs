//! The tasks-api function.
//!
//! - [`routes`]: the HTTP API under `/api/tasks` and `/api/users`.
//! - [`config`]: the environment variables this function reads.

pub mod config;
pub mod routes;

pub use config::TasksConfig;
pub use routes::{TasksState, router};
