//! Session settings every function that authenticates requests reads the same way.

use taskboard_core::aws::LazyClient;
use taskboard_core::config::{self, ConfigError, Env};
use taskboard_core::sessions::{SessionPolicy, SessionStore};
use taskboard_core::tables;
use taskboard_domain::SiteUrl;

use crate::CookiePolicy;

/// `SITE_URL`, `SESSIONS_TABLE`, `SESSION_IDLE_TIMEOUT_SECS`, `SESSION_ABSOLUTE_TIMEOUT_SECS`.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub site_url: SiteUrl,
    pub sessions_table: String,
    pub policy: SessionPolicy,
}

impl SessionConfig {
    /// Defaults: a session ends after 3 days unused, and 30 days after sign-in regardless.
    pub const DEFAULT_IDLE_SECS: u64 = 3 * 24 * 3600;
    pub const DEFAULT_ABSOLUTE_SECS: u64 = 30 * 24 * 3600;

    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let policy = SessionPolicy {
            idle_timeout_secs: config::positive_secs_or(
                env,
                "SESSION_IDLE_TIMEOUT_SECS",
                Self::DEFAULT_IDLE_SECS,
            )?,
            absolute_timeout_secs: config::positive_secs_or(
                env,
                "SESSION_ABSOLUTE_TIMEOUT_SECS",
                Self::DEFAULT_ABSOLUTE_SECS,
            )?,
        };
        if policy.idle_timeout_secs > policy.absolute_timeout_secs {
            return Err(ConfigError::Invalid {
                name: "SESSION_IDLE_TIMEOUT_SECS",
                reason: "must not exceed SESSION_ABSOLUTE_TIMEOUT_SECS".into(),
            });
        }
        Ok(Self {
            site_url: config::required_parsed(env, "SITE_URL")?,
            sessions_table: config::required(env, tables::SESSIONS.env_var)?,
            policy,
        })
    }

    pub fn store(&self, client: impl Into<LazyClient<aws_sdk_dynamodb::Client>>) -> SessionStore {
        SessionStore::new(client, self.sessions_table.clone(), self.policy)
    }

    pub fn cookie_policy(&self) -> CookiePolicy {
        CookiePolicy::for_site(&self.site_url)
    }
}
