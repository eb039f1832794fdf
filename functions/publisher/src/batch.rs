//! One batch of stream records → the bus, in order.
//!
//! Records are put in calls of up to ten, and a call never holds two events of the same task:
//! if an entry fails, no later event of its task has gone out before it. The batch stops at the
//! first failure and reports that record, so Lambda retries the shard from it (partial batch
//! responses, `ReportBatchItemFailures`); what went out after it in the same call goes out again,
//! which the contract allows (consumers deduplicate on `event_id`). An unreadable event fails the
//! same way: retried, then Lambda sends the batch's description to the failure destination and
//! moves on (`PublisherFailures` alarm; `docs/operations.md`).

use std::collections::HashSet;

use crate::bus::{Bus, MAX_ENTRIES};
use crate::stream::{Change, Inserted};

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchOutcome {
    pub published: usize,
    pub skipped: usize,
    /// The record Lambda must retry from (and everything after it), if any failed.
    pub failed_at: Option<String>,
}

/// Publish `records` (one shard's, in order) until the first failure.
pub async fn publish_batch(bus: &Bus, records: &[Inserted]) -> BatchOutcome {
    let mut outcome = BatchOutcome::default();
    let mut i = 0;
    while i < records.len() {
        // The next call: up to ten events of distinct tasks, in stream order.
        let mut call: Vec<&Inserted> = Vec::new();
        let mut tasks = HashSet::new();
        while i < records.len() && call.len() < MAX_ENTRIES {
            let record = &records[i];
            match &record.change {
                Change::Event { event, .. } => {
                    if !tasks.insert(event.task.id) {
                        break;
                    }
                    call.push(record);
                }
                Change::Skip(why) if call.is_empty() => {
                    tracing::debug!(sequence = %record.sequence_number, why, "record skipped");
                    outcome.skipped += 1;
                }
                Change::Skip(_) => break,
                Change::Unreadable(reason) => {
                    if call.is_empty() {
                        tracing::error!(sequence = %record.sequence_number, %reason, "change-log item with an unreadable event");
                        outcome.failed_at = Some(record.sequence_number.clone());
                        return outcome;
                    }
                    break;
                }
            }
            i += 1;
        }
        if call.is_empty() {
            continue;
        }
        let events: Vec<_> = call
            .iter()
            .filter_map(|r| match &r.change {
                Change::Event { event, detail } => Some((event.as_ref(), detail.as_str())),
                _ => None,
            })
            .collect();
        match bus.put(&events).await {
            Ok(results) => {
                for (record, result) in call.iter().zip(results) {
                    match result {
                        None => outcome.published += 1,
                        Some(reason) => {
                            tracing::warn!(sequence = %record.sequence_number, %reason, "EventBridge refused an event; the batch is retried from it");
                            outcome.failed_at = Some(record.sequence_number.clone());
                            return outcome;
                        }
                    }
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "PutEvents failed; the batch is retried from its first unpublished record");
                outcome.failed_at = Some(call[0].sequence_number.clone());
                return outcome;
            }
        }
    }
    outcome
}
