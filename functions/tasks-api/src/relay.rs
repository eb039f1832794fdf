//! The outbox relay (DESIGN decision 4): unsent outbox rows → the DynamoDB change log
//! (conditional put, keyed by the event) and EventBridge `PutEvents`, concurrently → the row
//! marked sent once both succeeded.
//!
//! It runs inline right after each API write, and on a schedule (the `relay` binary) for anything
//! left behind. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so concurrent relays never take the
//! same row; a crash between publishing and marking means the event is published again, which the
//! consumers absorb (they are idempotent on `event_id`).

use std::time::Duration;

use aws_sdk_eventbridge::primitives::DateTime as AwsDateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use sqlx::MySqlPool;
use taskboard_core::aws::LazyClient;
use taskboard_core::events::{SOURCE, TaskEvent};

use crate::changelog::{ChangeLog, ChangeLogError};

/// Claim one outbox row (`seq`) for this relay, inside its transaction. Public, like
/// [`MARK_SENT_SQL`], so the benchmark's SQL floor for a write runs exactly what the inline relay
/// runs.
pub const CLAIM_ONE_SQL: &str =
    "SELECT seq, detail FROM outbox WHERE seq = ? AND sent_at IS NULL FOR UPDATE SKIP LOCKED";
/// Mark a claimed row (`seq`) sent.
pub const MARK_SENT_SQL: &str =
    "UPDATE outbox SET sent_at = UTC_TIMESTAMP(6), attempts = attempts + 1 WHERE seq = ?";

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("outbox: {0}")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    ChangeLog(#[from] ChangeLogError),
    #[error("EventBridge: {0}")]
    Publish(String),
    #[error("outbox row {seq} holds an unreadable event: {reason}")]
    Corrupt { seq: u64, reason: String },
}

/// What one relay pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RelayReport {
    pub published: usize,
    pub failed: usize,
}

#[derive(Clone)]
pub struct Relay {
    pool: MySqlPool,
    changelog: ChangeLog,
    events: LazyClient<aws_sdk_eventbridge::Client>,
    bus: String,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    seq: u64,
    detail: String,
}

impl Relay {
    pub fn new(
        pool: MySqlPool,
        changelog: ChangeLog,
        events: impl Into<LazyClient<aws_sdk_eventbridge::Client>>,
        bus: impl Into<String>,
    ) -> Self {
        Self {
            pool,
            changelog,
            events: events.into(),
            bus: bus.into(),
        }
    }

    /// Relay one row right after the write that created it. Bounded in time: a slow or absent
    /// AWS service must not hold up the API answer; the scheduled relay delivers it later.
    pub async fn relay_now(&self, seq: u64) {
        let attempt =
            tokio::time::timeout(Duration::from_secs(3), self.relay_rows(Some(seq), 1)).await;
        match attempt {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, outbox_seq = seq, "inline relay failed; the scheduled relay will retry")
            }
            Err(_) => tracing::warn!(
                outbox_seq = seq,
                "inline relay timed out; the scheduled relay will retry"
            ),
        }
    }

    /// Age in seconds of the oldest unsent outbox row (0 when none is waiting).
    pub async fn oldest_unsent_age_secs(&self) -> Result<i64, RelayError> {
        let age: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(TIMESTAMPDIFF(SECOND, MIN(created_at), UTC_TIMESTAMP(6)) AS SIGNED) FROM outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(age.unwrap_or(0).max(0))
    }

    /// Relay up to `batch` unsent rows, oldest first.
    pub async fn relay_pending(&self, batch: u32) -> Result<RelayReport, RelayError> {
        self.relay_rows(None, batch).await
    }

    async fn relay_rows(&self, only: Option<u64>, batch: u32) -> Result<RelayReport, RelayError> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<OutboxRow> = match only {
            Some(seq) => {
                sqlx::query_as(CLAIM_ONE_SQL)
                    .bind(seq)
                    .fetch_all(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT seq, detail FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED",
                )
                .bind(batch)
                .fetch_all(&mut *tx)
                .await?
            }
        };
        let mut report = RelayReport::default();
        let mut first_error = None;
        for row in rows {
            match self.deliver(&row).await {
                Ok(()) => {
                    sqlx::query(MARK_SENT_SQL)
                        .bind(row.seq)
                        .execute(&mut *tx)
                        .await?;
                    report.published += 1;
                }
                Err(err) => {
                    let message: String = err.to_string().chars().take(500).collect();
                    sqlx::query(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                    )
                    .bind(message)
                    .bind(row.seq)
                    .execute(&mut *tx)
                    .await?;
                    report.failed += 1;
                    first_error.get_or_insert(err);
                    // The services are likely down: leave the rest for the next run.
                    break;
                }
            }
        }
        tx.commit().await?;
        match first_error {
            Some(err) if report.published == 0 => Err(err),
            Some(err) => {
                tracing::warn!(error = %err, "relay stopped early");
                Ok(report)
            }
            None => Ok(report),
        }
    }

    /// Record the event in the change log and publish it, both at once: the row is marked sent
    /// only when both succeeded, and either repeated later is harmless (the log write is
    /// conditional on the event's key; consumers deduplicate on `event_id`).
    async fn deliver(&self, row: &OutboxRow) -> Result<(), RelayError> {
        let event: TaskEvent =
            serde_json::from_str(&row.detail).map_err(|e| RelayError::Corrupt {
                seq: row.seq,
                reason: e.to_string(),
            })?;
        let (logged, published) = tokio::join!(
            self.changelog.record(&event),
            self.publish(&event, &row.detail)
        );
        logged?;
        published?;
        tracing::info!(event_id = %event.event_id, detail_type = event.detail_type.as_str(), "event published");
        Ok(())
    }

    async fn publish(&self, event: &TaskEvent, detail: &str) -> Result<(), RelayError> {
        let entry = event_entry(&self.bus, event, detail);
        let out = self
            .events
            .get()
            .await
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|e| RelayError::Publish(aws_sdk_eventbridge::Error::from(e).to_string()))?;
        if out.failed_entry_count() > 0 {
            let reason = out
                .entries()
                .iter()
                .filter_map(|e| e.error_message())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(RelayError::Publish(reason));
        }
        Ok(())
    }
}

/// The `PutEvents` entry for an event (`detail` is its JSON, as stored in the outbox).
pub fn event_entry(bus: &str, event: &TaskEvent, detail: &str) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(SOURCE)
        .detail_type(event.detail_type.as_str())
        .detail(detail)
        .time(AwsDateTime::from_millis(
            event.occurred_at.timestamp_millis(),
        ))
        .resources(format!("taskboard:task/{}", event.task.id))
        .build()
}
