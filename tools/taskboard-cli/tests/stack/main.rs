//! The local stack end to end, assembled exactly as `make dev` assembles it: a click's request →
//! tasks-api → outbox → relay → EventBridge rule → the notifier's queue → notifier → SES.
//! Each test gets its own database, tables, bus, queue and e-mail addresses.

mod helpers;

mod bounces;
mod notifications;
mod rule;
