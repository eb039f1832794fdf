//! The relay: outbox → change log → bus (`docs/decisions.md#4-transactional-outbox-no-lost-change-no-double-e-mail`).
//!
//! For each claimed outbox row it records the event in the DynamoDB change log (a conditional put
//! keyed by the event) and publishes it to EventBridge, both at once, and marks the row sent only
//! when both succeeded. Either repeated later is harmless: the log write is conditional, and
//! consumers deduplicate on `event_id`.
//!
//! It runs inline right after each API write ([`Relay::relay_now`], bounded in time), and on a
//! schedule for anything left behind ([`Relay::drain`], which serves the scheduled relay Lambda
//! and the dev server alike). This module holds no SQL and no AWS call of its own: the outbox,
//! the change log and the publisher each own theirs.

use std::time::Duration;

use taskboard_domain::events::TaskEvent;

use crate::changelog::{ChangeLog, ChangeLogError};
use crate::outbox::{Appended, Lease, Outbox, OutboxError, Pending};
use crate::publisher::{PublishError, Publisher};

/// How long an API answer may wait for the inline relay before leaving the event to the
/// scheduled pass.
pub const INLINE_BUDGET: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    ChangeLog(#[from] ChangeLogError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("outbox row {seq} holds an unreadable event: {reason}")]
    Corrupt { seq: u64, reason: String },
}

/// What one relay pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RelayReport {
    pub published: usize,
    pub failed: usize,
}

#[derive(Clone)]
pub struct Relay {
    outbox: Outbox,
    changelog: ChangeLog,
    publisher: Publisher,
}

impl Relay {
    pub fn new(outbox: Outbox, changelog: ChangeLog, publisher: Publisher) -> Self {
        Self {
            outbox,
            changelog,
            publisher,
        }
    }

    /// Relay the event a write just appended. Bounded by [`INLINE_BUDGET`]: a slow or absent AWS
    /// service must not hold up the API answer; the scheduled relay delivers it later.
    pub async fn relay_now(&self, appended: &Appended) {
        let seq = appended.seq;
        match tokio::time::timeout(INLINE_BUDGET, self.relay_appended(appended)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, outbox_seq = seq, "inline relay failed; the scheduled relay will retry")
            }
            Err(_) => tracing::warn!(
                outbox_seq = seq,
                "inline relay timed out; the scheduled relay will retry"
            ),
        }
    }

    async fn relay_appended(&self, appended: &Appended) -> Result<(), RelayError> {
        // Already sent, or another relay holds it: nothing to do.
        let Some(mut lease) = self.outbox.claim(appended.seq).await? else {
            return Ok(());
        };
        let delivered = self.deliver(&appended.event, &appended.detail).await;
        settle(&mut lease, appended.seq, &delivered).await?;
        lease.commit().await?;
        delivered
    }

    /// Relay unsent rows, `batch` at a time, oldest first, until none is left or a pass fails.
    /// The scheduled relay Lambda and the dev server's schedule both run this.
    pub async fn drain(&self, batch: u32) -> Result<RelayReport, RelayError> {
        let mut total = RelayReport::default();
        loop {
            // Boxed: the pass's future nests the SDK's deep futures, and one more level of
            // nesting here overflowed rustc's query depth limit in the relay binary.
            let pass = Box::pin(self.relay_pending(batch)).await?;
            total.published += pass.published;
            total.failed += pass.failed;
            if pass.failed > 0 || pass.published < batch as usize {
                return Ok(total);
            }
        }
    }

    /// One pass: relay up to `batch` unsent rows, oldest first. Stops at the first failure (the
    /// services are likely down) and leaves the rest for the next pass.
    pub async fn relay_pending(&self, batch: u32) -> Result<RelayReport, RelayError> {
        let (mut lease, rows) = self.outbox.claim_oldest(batch).await?;
        let mut report = RelayReport::default();
        let mut first_error = None;
        for row in rows {
            let delivered = self.deliver_row(&row).await;
            settle(&mut lease, row.seq, &delivered).await?;
            match delivered {
                Ok(()) => report.published += 1,
                Err(err) => {
                    report.failed += 1;
                    first_error = Some(err);
                    break;
                }
            }
        }
        lease.commit().await?;
        match first_error {
            Some(err) if report.published == 0 => Err(err),
            Some(err) => {
                tracing::warn!(error = %err, "relay stopped early");
                Ok(report)
            }
            None => Ok(report),
        }
    }

    /// Age in seconds of the oldest unsent event (0 when none is waiting).
    pub async fn oldest_unsent_age_secs(&self) -> Result<i64, RelayError> {
        Ok(self.outbox.oldest_unsent_age_secs().await?)
    }

    async fn deliver_row(&self, row: &Pending) -> Result<(), RelayError> {
        let event: TaskEvent =
            serde_json::from_str(&row.detail).map_err(|e| RelayError::Corrupt {
                seq: row.seq,
                reason: e.to_string(),
            })?;
        self.deliver(&event, &row.detail).await
    }

    /// Record the event in the change log and publish it, both at once.
    async fn deliver(&self, event: &TaskEvent, detail: &str) -> Result<(), RelayError> {
        let (logged, published) = tokio::join!(
            self.changelog.record(event),
            self.publisher.publish(event, detail)
        );
        logged?;
        published?;
        tracing::info!(event_id = %event.event_id, detail_type = event.detail_type.as_str(), "event published");
        Ok(())
    }
}

/// Mark a claimed row after its delivery: sent, or failed with the reason.
async fn settle(
    lease: &mut Lease,
    seq: u64,
    delivered: &Result<(), RelayError>,
) -> Result<(), OutboxError> {
    match delivered {
        Ok(()) => lease.mark_sent(seq).await,
        Err(err) => lease.mark_failed(seq, &err.to_string()).await,
    }
}
