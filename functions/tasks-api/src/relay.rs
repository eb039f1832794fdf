//! The relay: outbox → change log (`docs/decisions.md#4-transactional-outbox-no-lost-change-no-double-e-mail`).
//!
//! For each claimed outbox row it records the event in the DynamoDB change log (a conditional put
//! keyed by the event, carrying the event's JSON) and marks the row sent once the put succeeded;
//! a repeated put is harmless. Its job ends there: the change log's stream triggers the publisher
//! function (`functions/publisher`), outside the VPC, which puts the event on the bus. A write's
//! answer so waits for its commit and one DynamoDB put at most.
//!
//! It runs inline right after each API write ([`Relay::relay_all_now`], bounded in time), and on a
//! schedule for anything left behind ([`Relay::drain`], which serves the scheduled relay Lambda
//! and the dev server alike). This module holds no SQL and no AWS call of its own: the outbox and
//! the change log each own theirs.

use std::time::Duration;

use tokio::time::Instant;

use taskboard_domain::events::TaskEvent;

use crate::changelog::{ChangeLog, ChangeLogError};
use crate::outbox::{Appended, Failed, Next, Outbox, OutboxError, Pending};

/// How long an API answer may wait for the inline relay before leaving the event to the
/// scheduled pass.
pub const INLINE_BUDGET: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    ChangeLog(#[from] ChangeLogError),
    #[error("outbox row {seq} holds an unreadable event: {reason}")]
    Corrupt { seq: u64, reason: String },
}

impl RelayError {
    /// Retrying cannot help: the row is set aside at once.
    fn is_permanent(&self) -> bool {
        matches!(self, Self::Corrupt { .. })
    }
}

/// A pass gives up after this many failures in a row: AWS is likely down, and each failure may
/// have waited for a timeout. Its remaining rows go back at once for the next pass.
const FAILURES_IN_A_ROW: usize = 3;

/// What one relay pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RelayReport {
    /// Events recorded in the change log (its stream takes them to the bus).
    pub logged: usize,
    pub failed: usize,
    /// Rows set aside as dead by this pass.
    pub dead: usize,
}

#[derive(Clone)]
pub struct Relay {
    outbox: Outbox,
    changelog: ChangeLog,
}

impl Relay {
    pub fn new(outbox: Outbox, changelog: ChangeLog) -> Self {
        Self { outbox, changelog }
    }

    /// The same relay, leasing its batches for `secs` (see [`Outbox::with_batch_lease`]).
    pub fn with_batch_lease(mut self, secs: u32) -> Self {
        self.outbox = self.outbox.with_batch_lease(secs);
        self
    }

    /// Relay the events a write just appended, in order, within one [`INLINE_BUDGET`] for all: a
    /// slow or absent AWS service must not hold up the API answer; the scheduled relay delivers
    /// what is left (once its lease runs out, if the budget ended a delivery midway).
    pub async fn relay_all_now(&self, appended: &[Appended]) {
        let all = async {
            for event in appended {
                if let Err(err) = self.relay_appended(event).await {
                    tracing::warn!(error = %err, outbox_seq = event.seq, "inline relay failed; the scheduled relay will retry");
                }
            }
        };
        if tokio::time::timeout(INLINE_BUDGET, all).await.is_err() {
            tracing::warn!(
                events = appended.len(),
                "inline relay timed out; the scheduled relay will retry"
            );
        }
    }

    async fn relay_appended(&self, appended: &Appended) -> Result<(), RelayError> {
        let mut wait = Duration::from_millis(5);
        loop {
            match self.outbox.claim_up_to(appended.seq).await? {
                Next::Done => return Ok(()),
                Next::Busy => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_millis(100));
                }
                Next::Claimed(row) => {
                    let delivered = if row.seq == appended.seq {
                        // The event as the write made it: no need to parse it back.
                        self.deliver(&appended.event, &appended.detail).await
                    } else {
                        self.deliver_row(&row).await
                    };
                    self.settle(row.seq, &delivered).await?;
                    delivered?;
                    if row.seq == appended.seq {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Relay waiting rows, `batch` at a time, oldest first, until none is left or a pass fails.
    /// The scheduled relay Lambda and the dev server's schedule both run this.
    pub async fn drain(&self, batch: u32) -> Result<RelayReport, RelayError> {
        self.drain_until(batch, None).await
    }

    /// As [`Relay::drain`], stopping by `deadline` (the scheduled Lambda's, less a margin): rows
    /// not yet delivered then are given back at once rather than left leased by a killed pass,
    /// and the backlog metric still gets printed.
    pub async fn drain_until(
        &self,
        batch: u32,
        deadline: Option<Instant>,
    ) -> Result<RelayReport, RelayError> {
        let mut total = RelayReport::default();
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(total);
            }
            // Boxed: the pass's future nests the SDK's deep futures, and one more level of
            // nesting here overflowed rustc's query depth limit in the relay binary.
            let pass = Box::pin(self.relay_pending_until(batch, deadline)).await?;
            total.logged += pass.logged;
            total.failed += pass.failed;
            total.dead += pass.dead;
            // Stop on a transient failure (AWS is likely down) or when a pass moved nothing; a
            // row set aside as dead does not stop the drain.
            if pass.failed > pass.dead || pass.logged + pass.dead == 0 {
                return Ok(total);
            }
        }
    }

    /// One pass: claim up to `batch` rows (the first waiting row of each task, oldest first),
    /// deliver each and mark it at once. A failed row goes back to the queue, or is set aside as
    /// dead; the rows after it are still delivered. After [`FAILURES_IN_A_ROW`] failures in a row
    /// the pass stops and gives its remaining rows back.
    pub async fn relay_pending(&self, batch: u32) -> Result<RelayReport, RelayError> {
        self.relay_pending_until(batch, None).await
    }

    async fn relay_pending_until(
        &self,
        batch: u32,
        deadline: Option<Instant>,
    ) -> Result<RelayReport, RelayError> {
        let rows = self.outbox.claim_batch(batch).await?;
        let mut report = RelayReport::default();
        let mut in_a_row = 0;
        let mut last_error = None;
        for (i, row) in rows.iter().enumerate() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                let rest: Vec<u64> = rows[i..].iter().map(|r| r.seq).collect();
                self.outbox.release(&rest).await?;
                break;
            }
            let delivered = self.deliver_row(row).await;
            let settled = self.settle(row.seq, &delivered).await?;
            match delivered {
                Ok(()) => {
                    report.logged += 1;
                    in_a_row = 0;
                }
                Err(err) => {
                    report.failed += 1;
                    report.dead += usize::from(settled == Some(Failed::Dead));
                    // Only a failure worth retrying says anything about AWS being down.
                    if !err.is_permanent() {
                        in_a_row += 1;
                    }
                    last_error = Some(err);
                    if in_a_row >= FAILURES_IN_A_ROW {
                        let rest: Vec<u64> = rows[i + 1..].iter().map(|r| r.seq).collect();
                        self.outbox.release(&rest).await?;
                        break;
                    }
                }
            }
        }
        match last_error {
            Some(err) if report.logged == 0 && report.dead < report.failed => Err(err),
            Some(err) => {
                tracing::warn!(error = %err, failed = report.failed, dead = report.dead, "relay pass had failures");
                Ok(report)
            }
            None => Ok(report),
        }
    }

    /// Mark a claimed row after its delivery; `Some` tells what became of a failed one.
    async fn settle(
        &self,
        seq: u64,
        delivered: &Result<(), RelayError>,
    ) -> Result<Option<Failed>, OutboxError> {
        match delivered {
            Ok(()) => self.outbox.mark_sent(seq).await.map(|()| None),
            Err(err) => {
                let failed = self
                    .outbox
                    .mark_failed(seq, &err.to_string(), err.is_permanent())
                    .await?;
                if failed == Failed::Dead {
                    tracing::error!(error = %err, outbox_seq = seq, "outbox row set aside as dead (docs/operations.md)");
                }
                Ok(Some(failed))
            }
        }
    }

    /// Rows set aside as dead, for the `OutboxDeadRows` metric.
    pub async fn dead_rows(&self) -> Result<i64, RelayError> {
        Ok(self.outbox.dead_rows().await?)
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

    /// Record the event in the change log, whose stream takes it to the bus.
    async fn deliver(&self, event: &TaskEvent, detail: &str) -> Result<(), RelayError> {
        self.changelog.record(event, detail).await?;
        tracing::info!(event_id = %event.event_id, detail_type = event.detail_type.as_str(), "event logged");
        Ok(())
    }
}
