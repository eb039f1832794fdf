//! The log-notifier function: one clear e-mail to each person a task change concerns.
//!
//! - [`handler`]: one EventBridge delivery → recipients → one e-mail each, idempotently.
//! - [`recipients`] and [`message`]: the rules: who hears about a change, and what they read.
//! - [`deliveries`]: DynamoDB adapter; the `event_id#recipient` records that stop double e-mail.
//! - [`mailer`]: SES v2 adapter; tells temporary failures (retry) from permanent ones (record).
//! - [`config`]: the environment variables this function reads.

pub mod config;
pub mod deliveries;
pub mod handler;
pub mod mailer;
pub mod message;
pub mod recipients;

pub use config::NotifierConfig;
pub use handler::{Notifier, NotifyError, Summary};
