//! The local stack: what `taskboard dev` runs in place of CloudFront, API Gateway, Lambda and the
//! EventBridge → Lambda target, plus the admin commands.
//!
//! - [`dev_server`]: one origin serving `web/` and the functions' routers, the relay schedule
//!   and the notifier queue.
//! - [`local_stream`]: the change log's stream → the publisher, standing in for its event source
//!   mapping.
//! - [`local_queue`]: the SQS queue standing in for the notifier's Lambda target.
//! - [`mailbox`]: what the emulator's SES "sent", newest first.
//! - [`admin`]: bootstrap, migrations, create-user.

pub mod admin;
pub mod dev_server;
pub mod local_queue;
pub mod local_stream;
pub mod mailbox;
