//! The tasks-api function's configuration, from environment variables only.

use taskboard_core::account_mail::AccountMailConfig;
use taskboard_core::config::{self, ConfigError, Env};
use taskboard_core::rate::RateLimit;
use taskboard_core::tables;
use taskboard_http::OriginSecrets;
use taskboard_http::session_config::SessionConfig;
use taskboard_mysql::connect::DatabaseSettings;

#[derive(Debug, Clone)]
pub struct TasksConfig {
    /// `DATABASE_URL` and `DATABASE_AUTH` (`password` locally, `iam` on AWS).
    pub database: DatabaseSettings,
    /// `DB_MAX_CONNECTIONS` (default 2).
    pub db_max_connections: u32,
    pub session: SessionConfig,
    /// `ORIGIN_VERIFY_SECRETS`: requests must come through the site's CloudFront (unset locally).
    pub origin: OriginSecrets,
    /// `TASK_LOG_TABLE`: the DynamoDB change log.
    pub task_log_table: String,
    /// `NOTIFICATIONS_TABLE`: the notifier's delivery records, read for each change's e-mails.
    pub notifications_table: String,
    /// Invitations are account e-mail: `SENDER_ADDRESS`, `RATE_LIMITS_TABLE`, ….
    pub account_mail: AccountMailConfig,
    /// `TASK_WRITES_PER_MINUTE` (default 60): creates, edits and deletes per account.
    pub task_writes: RateLimit,
    /// `INVITATIONS_PER_PROJECT_PER_HOUR` (default 20): invitations sent and resent per project.
    pub invitations: RateLimit,
}

impl TasksConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            database: DatabaseSettings::from_env(env)?,
            db_max_connections: config::parsed_or(env, "DB_MAX_CONNECTIONS", 2)?,
            session: SessionConfig::from_env(env)?,
            origin: OriginSecrets::from_env(env)?,
            task_log_table: config::required(env, tables::TASK_LOG.env_var)?,
            notifications_table: config::required(env, tables::NOTIFICATIONS.env_var)?,
            account_mail: AccountMailConfig::from_env(env)?,
            task_writes: RateLimit::per_minute(config::parsed_or(
                env,
                "TASK_WRITES_PER_MINUTE",
                60,
            )?),
            invitations: RateLimit::per_hour(config::parsed_or(
                env,
                "INVITATIONS_PER_PROJECT_PER_HOUR",
                20,
            )?),
        })
    }
}

/// What the scheduled relay needs: no sessions, no site.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub database: DatabaseSettings,
    pub task_log_table: String,
    /// `RELAY_BATCH_SIZE` (default 100): rows per pass.
    pub batch_size: u32,
    /// `METRICS_NAMESPACE` (default `Taskboard`): where the outbox-backlog metric goes.
    pub metrics_namespace: String,
    /// `STAGE` (default `local`): the metric's `Stage` dimension.
    pub stage: String,
}

impl RelayConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            database: DatabaseSettings::from_env(env)?,
            task_log_table: config::required(env, tables::TASK_LOG.env_var)?,
            batch_size: config::parsed_or(env, "RELAY_BATCH_SIZE", 100)?,
            metrics_namespace: env
                .get("METRICS_NAMESPACE")
                .unwrap_or_else(|| "Taskboard".into()),
            stage: env.get("STAGE").unwrap_or_else(|| "local".into()),
        })
    }
}
