//! What every Taskboard function shares at run time, above the domain and below the HTTP edge.
//! No SQL and no HTTP framework here: the notifier builds on this crate without either.
//!
//! - [`config`]: environment variables, validated once at start-up (`docs/decisions.md#8-configuration`).
//! - [`telemetry`]: one JSON log line per event, through `tracing`.
//! - [`aws`]: SDK clients built once, on first use.
//! - [`dynamo`]: the one DynamoDB table helper the adapters share.
//! - [`tables`]: the DynamoDB tables the code uses, one definition for bootstrap, tests and infra.
//! - [`sessions`]: the session store (`docs/decisions.md#2-session-tokens`).
//! - [`tokens`]: the 256-bit secrets of sessions and account links, stored only hashed.
//! - [`rate`]: abuse caps, as fixed-window counters in DynamoDB.
//! - [`mail`]: SES v2 sending (text + HTML) for account e-mail, and the escaping every mail uses.
//! - [`suppressions`]: addresses that bounced or complained, not sent task e-mail until confirmed.
//! - [`mail_queue`]: account e-mail queued in DynamoDB for the notifier to send (no SES endpoint
//!   in the VPC).
//! - [`account_mail`]: the account e-mails (invitation, verification, reset) and their cap.
//! - [`bus`]: the EventBridge bus and the notifier's rule, for the local bootstrap and tests.

pub mod account_mail;
pub mod aws;
pub mod bus;
pub mod config;
pub mod dynamo;
pub mod mail;
pub mod mail_queue;
pub mod rate;
pub mod sessions;
pub mod suppressions;
pub mod tables;
pub mod telemetry;
pub mod tokens;
