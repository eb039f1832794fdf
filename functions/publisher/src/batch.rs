//! One batch of stream records → the bus, in order.
//!
//! Records are put in calls of up to ten events and at most [`MAX_CALL_BYTES`], and a call never
//! holds two events of the same task: if an entry fails, no later event of its task has gone out
//! before it. The batch stops at the first failure and reports that record, so Lambda retries the
//! shard from it (partial batch responses, `ReportBatchItemFailures`); what went out after it in
//! the same call goes out again, which the contract allows (consumers deduplicate on `event_id`).
//! A failure pauses briefly first: Lambda retries a stream batch at once, and an outage would
//! otherwise spin. An item whose event cannot be read is logged and passed over (no retry can
//! fix it; the item stays in the change log), so it never holds up the task's later events.

use std::collections::HashSet;
use std::time::Duration;

use crate::bus::{Bus, MAX_ENTRIES};
use crate::stream::{Change, Inserted};

/// EventBridge refuses a `PutEvents` call over 256 KB in all; an edit's event carries a long
/// description up to three times (the task, and the change's from and to), so calls are cut by
/// size too, with room for the envelope of each entry.
pub const MAX_CALL_BYTES: usize = 200 * 1024;

/// How long a failed batch waits before Lambda is told to retry it.
const FAILURE_PAUSE: Duration = Duration::from_millis(500);

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchOutcome {
    pub published: usize,
    pub skipped: usize,
    /// Items whose event could not be read (logged at ERROR, passed over).
    pub unreadable: usize,
    /// The record Lambda must retry from (and everything after it), if any failed.
    pub failed_at: Option<String>,
}

/// Publish `records` (one shard's, in order) until the first failure.
pub async fn publish_batch(bus: &Bus, records: &[Inserted]) -> BatchOutcome {
    let mut outcome = BatchOutcome::default();
    let mut i = 0;
    while i < records.len() {
        // The next call: up to ten events of distinct tasks, in stream order, within the size.
        let mut call: Vec<&Inserted> = Vec::new();
        let mut tasks = HashSet::new();
        let mut bytes = 0;
        while i < records.len() && call.len() < MAX_ENTRIES {
            let record = &records[i];
            match &record.change {
                Change::Event { event, detail } => {
                    let size = detail.len() + 512;
                    if !call.is_empty() && bytes + size > MAX_CALL_BYTES {
                        break;
                    }
                    if !tasks.insert(event.task.id) {
                        break;
                    }
                    bytes += size;
                    call.push(record);
                }
                Change::Skip(why) => {
                    tracing::debug!(sequence = %record.sequence_number, why, "record skipped");
                    outcome.skipped += 1;
                }
                Change::Unreadable(reason) => {
                    tracing::error!(sequence = %record.sequence_number, %reason, "change-log item with an unreadable event; passed over");
                    outcome.unreadable += 1;
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
        let failed = match bus.put(&events).await {
            Ok(results) => call.iter().zip(results).find_map(|(record, result)| match result {
                None => {
                    outcome.published += 1;
                    None
                }
                Some(reason) => {
                    tracing::warn!(sequence = %record.sequence_number, %reason, "EventBridge refused an event; the batch is retried from it");
                    Some(record.sequence_number.clone())
                }
            }),
            Err(err) => {
                tracing::warn!(error = %err, "PutEvents failed; the batch is retried from its first unpublished record");
                Some(call[0].sequence_number.clone())
            }
        };
        if let Some(sequence) = failed {
            tokio::time::sleep(FAILURE_PAUSE).await;
            outcome.failed_at = Some(sequence);
            return outcome;
        }
    }
    outcome
}
