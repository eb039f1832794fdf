//! The log-notifier function: one clear e-mail to each person a task change concerns.
//!
//! - [`handler`]: one EventBridge delivery → recipients → one e-mail each, idempotently.
//! - [`recipients`] and [`message`]: the rules: who hears about a change, and what they read.
//! - [`outgoing`]: account e-mail queued by the functions in the VPC, sent from here.
//! - [`caps`]: past `TASK_EMAILS_PER_RECIPIENT_PER_HOUR`, one summary e-mail instead of many.
//! - [`deliveries`]: DynamoDB adapter; the `event_id#recipient` records that stop double e-mail.
//! - [`incoming`]: the two kinds of invocation (a task event, an SES report), told apart.
//! - [`feedback`]: SES's bounce, complaint and delivery reports → the delivery record and the
//!   suppression list (`taskboard_core::suppressions`).
//! - [`mailer`]: the SES v2 adapter, shared with the account e-mail (`taskboard_core::mail`).
//! - [`config`]: the environment variables this function reads.

pub mod caps;
pub mod config;
pub mod deliveries;
pub mod feedback;
pub mod handler;
pub mod incoming;
/// The SES v2 adapter lives in `taskboard_core::mail`; the account e-mail uses it too.
pub mod mailer {
    pub use taskboard_core::mail::{Mailer, SendError};
}
pub mod message;
pub mod outgoing;
pub mod recipients;

pub use config::NotifierConfig;
pub use handler::{Notifier, NotifyError, Summary};
