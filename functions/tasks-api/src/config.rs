//! The tasks-api function's configuration, from environment variables only.

use taskboard_core::config::{self, ConfigError, Env};
use taskboard_core::session_config::SessionConfig;

#[derive(Debug, Clone)]
pub struct TasksConfig {
    /// `DATABASE_URL`: `mysql://user:password@host:port/database`.
    pub database_url: String,
    /// `DB_MAX_CONNECTIONS` (default 2).
    pub db_max_connections: u32,
    pub session: SessionConfig,
}

impl TasksConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            database_url: config::required(env, "DATABASE_URL")?,
            db_max_connections: config::parsed_or(env, "DB_MAX_CONNECTIONS", 2)?,
            session: SessionConfig::from_env(env)?,
        })
    }
}
