//! The notifier's configuration, from environment variables only.

use taskboard_core::config::{self, ConfigError, Env};
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
}

impl NotifierConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            sender: config::required_parsed(env, "SENDER_ADDRESS")?,
            site_url: config::required_parsed(env, "SITE_URL")?,
            notifications_table: config::required(env, tables::NOTIFICATIONS.env_var)?,
        })
    }
}
