//! The per-recipient cap on task e-mail (`TASK_EMAILS_PER_RECIPIENT_PER_HOUR`): past it a person
//! gets one summary e-mail for the rest of the hour instead of one e-mail per change, so nobody
//! (a busy project, or someone editing in a loop) can flood an inbox through our sender.
//!
//! The counter is the shared `rate_limits` table, counted per recipient id. When the table cannot
//! be reached the e-mail is sent anyway: the cap guards inboxes, and losing a change's e-mail is
//! the worse failure (the delivery record still stops duplicates).

use taskboard_core::rate::{Admission, RateLimit, RateLimiter};
use taskboard_domain::UserId;

/// What a recipient gets for one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowance {
    /// The change's own e-mail.
    Mail,
    /// Over the cap: at most one summary per window (`summary_id` is its delivery record),
    /// after which single changes are not mailed until `until` (epoch seconds).
    OverCap { summary_id: String, until: i64 },
}

#[derive(Clone)]
pub struct RecipientCap {
    limiter: RateLimiter,
    pub limit: RateLimit,
}

impl RecipientCap {
    pub fn new(limiter: RateLimiter, limit: RateLimit) -> Self {
        Self { limiter, limit }
    }

    /// Count one e-mail to `recipient`.
    pub async fn admit(&self, recipient: UserId) -> Allowance {
        let subject = recipient.to_string();
        match self.limiter.hit("task-mail", &subject, self.limit).await {
            Ok(Admission::Allowed { .. }) => Allowance::Mail,
            Ok(Admission::Limited { window_start, .. }) => Allowance::OverCap {
                summary_id: format!("summary#{subject}#{window_start}"),
                until: window_start
                    .saturating_add(i64::try_from(self.limit.window_secs).unwrap_or(i64::MAX)),
            },
            Err(err) => {
                tracing::warn!(error = %err, "task e-mail cap unavailable; sending uncapped");
                Allowance::Mail
            }
        }
    }
}
