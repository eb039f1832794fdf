//! The login function's configuration, from environment variables only.

use taskboard_core::account_mail::AccountMailConfig;
use taskboard_core::config::{self, ConfigError, Env};
use taskboard_core::tables;
use taskboard_domain::SignupPolicy;
use taskboard_http::OriginSecrets;
use taskboard_http::session_config::SessionConfig;
use taskboard_mysql::connect::DatabaseSettings;

use crate::throttle::ThrottlePolicy;

#[derive(Debug, Clone)]
pub struct LoginConfig {
    /// `DATABASE_URL` and `DATABASE_AUTH` (`password` locally, `iam` on AWS).
    pub database: DatabaseSettings,
    /// `DB_MAX_CONNECTIONS` (default 2).
    pub db_max_connections: u32,
    pub session: SessionConfig,
    /// `LOGIN_ATTEMPTS_TABLE`.
    pub login_attempts_table: String,
    /// `NOTIFICATIONS_TABLE`: read for the person's suppressed address (`me`), lifted when they
    /// confirm it again.
    pub notifications_table: String,
    /// `SIGNUP_POLICY` (default `invite`): `invite`, `domains:<list>` or `open`.
    pub signup: SignupPolicy,
    /// Verification and reset links are account e-mail: `SENDER_ADDRESS`, `RATE_LIMITS_TABLE`, ….
    pub account_mail: AccountMailConfig,
    /// `LOGIN_MAX_FAILURES_PER_ACCOUNT`, `LOGIN_MAX_FAILURES_PER_CLIENT`, `LOGIN_THROTTLE_WINDOW_SECS`.
    pub throttle: ThrottlePolicy,
    /// `CLIENT_IP_HEADER`: a header our own edge sets to the client's address
    /// (`cloudfront-viewer-address` behind CloudFront). Unset: API Gateway's source IP. Trusted
    /// only with the origin check on, since otherwise any caller could set it.
    pub client_ip_header: Option<String>,
    /// `ORIGIN_VERIFY_SECRETS`: requests must come through the site's CloudFront (unset locally).
    pub origin: OriginSecrets,
}

impl LoginConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let origin = OriginSecrets::from_env(env)?;
        let client_ip_header = env
            .get("CLIENT_IP_HEADER")
            .map(|h| h.trim().to_ascii_lowercase());
        if client_ip_header.is_some() && !origin.enabled() {
            return Err(ConfigError::Invalid {
                name: "CLIENT_IP_HEADER",
                reason: "a client-address header can be trusted only when ORIGIN_VERIFY_SECRETS \
                         proves the request came through our edge"
                    .into(),
            });
        }
        Ok(Self {
            database: DatabaseSettings::from_env(env)?,
            db_max_connections: config::parsed_or(env, "DB_MAX_CONNECTIONS", 2)?,
            session: SessionConfig::from_env(env)?,
            login_attempts_table: config::required(env, tables::LOGIN_ATTEMPTS.env_var)?,
            notifications_table: config::required(env, tables::NOTIFICATIONS.env_var)?,
            signup: config::parsed_or(env, "SIGNUP_POLICY", SignupPolicy::Invite)?,
            account_mail: AccountMailConfig::from_env(env)?,
            throttle: ThrottlePolicy {
                max_failures_per_account: config::parsed_or(
                    env,
                    "LOGIN_MAX_FAILURES_PER_ACCOUNT",
                    5,
                )?,
                max_failures_per_client: config::parsed_or(
                    env,
                    "LOGIN_MAX_FAILURES_PER_CLIENT",
                    50,
                )?,
                window_secs: config::positive_secs_or(env, "LOGIN_THROTTLE_WINDOW_SECS", 900)?,
            },
            client_ip_header,
            origin,
        })
    }
}
