//! The publisher's configuration, from environment variables only.

use taskboard_core::config::{self, ConfigError, Env};

#[derive(Debug, Clone)]
pub struct PublisherConfig {
    /// `EVENT_BUS_NAME`: the bus task events are put on.
    pub event_bus_name: String,
}

impl PublisherConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            event_bus_name: config::required(env, "EVENT_BUS_NAME")?,
        })
    }
}
