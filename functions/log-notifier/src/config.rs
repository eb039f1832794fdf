//! The notifier's configuration, from environment variables only.

use taskboard_core::config::{self, ConfigError, Env};
use taskboard_core::rate::RateLimit;
use taskboard_core::tables;
use taskboard_domain::EmailAddress;
use taskboard_domain::SiteUrl;

#[derive(Debug, Clone)]
pub struct NotifierConfig {
    /// `SENDER_ADDRESS`: the verified SES identity e-mail is sent from.
    pub sender: EmailAddress,
    /// `SITE_URL`: links in e-mail point here.
    pub site_url: SiteUrl,
    /// `NOTIFICATIONS_TABLE`: delivery records.
    pub notifications_table: String,
    /// `RATE_LIMITS_TABLE`: the abuse-cap counters.
    pub rate_limits_table: String,
    /// `TASK_EMAILS_PER_RECIPIENT_PER_HOUR` (default 30): past it, one summary e-mail an hour.
    pub per_recipient: RateLimit,
    /// `CLAIM_STALE_SECS` (default 45, just above the 30 s timeout): when another invocation's
    /// claim on an e-mail is presumed dead. Keep it above the function's timeout.
    pub claim_stale_secs: u64,
    /// `SES_CONFIGURATION_SET` (optional): the set whose events report bounces, complaints and
    /// deliveries back to this function. Unset locally.
    pub configuration_set: Option<String>,
    /// `OUTGOING_MAIL_TABLE` (optional): the account-e-mail queue whose stream this function also
    /// reads; sent messages are deleted from it.
    pub outgoing_mail_table: Option<String>,
}

impl NotifierConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            sender: config::required_parsed(env, "SENDER_ADDRESS")?,
            site_url: config::required_parsed(env, "SITE_URL")?,
            notifications_table: config::required(env, tables::NOTIFICATIONS.env_var)?,
            rate_limits_table: config::required(env, tables::RATE_LIMITS.env_var)?,
            per_recipient: RateLimit::per_hour(config::parsed_or(
                env,
                "TASK_EMAILS_PER_RECIPIENT_PER_HOUR",
                30,
            )?),
            claim_stale_secs: config::positive_secs_or(
                env,
                "CLAIM_STALE_SECS",
                crate::deliveries::STALE_CLAIM_SECS,
            )?,
            configuration_set: env.get("SES_CONFIGURATION_SET"),
            outgoing_mail_table: env.get(tables::OUTGOING_MAIL.env_var),
        })
    }
}
