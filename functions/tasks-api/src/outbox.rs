//! The outbox table, and the only code that touches it (`docs/decisions.md#4-transactional-outbox-no-lost-change-no-double-e-mail`).
//!
//! A write appends its event inside its own transaction ([`append`]), so no change exists without
//! its event. A relay then claims unsent rows with `FOR UPDATE SKIP LOCKED` (concurrent relays
//! never take the same row), marks each as sent or failed, and commits ([`Lease`]).

use sqlx::{MySql, MySqlPool, Transaction};
use taskboard_domain::events::TaskEvent;

/// Claim one outbox row (`seq`) if it is still unsent and no other relay holds it. Public, like
/// [`MARK_SENT_SQL`], so the benchmark's SQL floor for a write runs exactly what the inline relay
/// runs.
pub const CLAIM_ONE_SQL: &str =
    "SELECT seq FROM outbox WHERE seq = ? AND sent_at IS NULL FOR UPDATE SKIP LOCKED";
/// Mark a claimed row (`seq`) sent.
pub const MARK_SENT_SQL: &str =
    "UPDATE outbox SET sent_at = UTC_TIMESTAMP(6), attempts = attempts + 1 WHERE seq = ?";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox: {0}")]
    Db(#[from] sqlx::Error),
    #[error("could not encode the event: {0}")]
    Encode(#[from] serde_json::Error),
}

/// An event as appended: its row and its JSON, so the inline relay can deliver it without
/// reading the row back.
#[derive(Debug, Clone)]
pub struct Appended {
    pub seq: u64,
    pub event: TaskEvent,
    /// The event as JSON, exactly as stored (and as published).
    pub detail: String,
}

/// An unsent row a relay claimed.
#[derive(Debug, sqlx::FromRow)]
pub struct Pending {
    pub seq: u64,
    pub detail: String,
}

/// Append `event` inside the caller's transaction; it commits or rolls back with the change.
pub async fn append(
    tx: &mut Transaction<'_, MySql>,
    event: TaskEvent,
) -> Result<Appended, OutboxError> {
    let detail = serde_json::to_string(&event)?;
    let done = sqlx::query(
        "INSERT INTO outbox (event_id, task_id, detail_type, detail, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(event.event_id.to_string())
    .bind(event.task.id.to_string())
    .bind(event.detail_type.as_str())
    .bind(&detail)
    .bind(event.occurred_at)
    .execute(&mut **tx)
    .await?;
    Ok(Appended {
        seq: done.last_insert_id(),
        event,
        detail,
    })
}

#[derive(Clone)]
pub struct Outbox {
    pool: MySqlPool,
}

/// The rows a relay claimed, locked until [`Lease::commit`] (or until it is dropped, which
/// rolls back and leaves them to the next relay).
pub struct Lease {
    tx: Transaction<'static, MySql>,
}

impl Outbox {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// Claim the row `seq` the caller just appended. `None`: already sent, or another relay
    /// holds it.
    pub async fn claim(&self, seq: u64) -> Result<Option<Lease>, OutboxError> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<(u64,)> = sqlx::query_as(CLAIM_ONE_SQL)
            .bind(seq)
            .fetch_optional(&mut *tx)
            .await?;
        match claimed {
            Some(_) => Ok(Some(Lease { tx })),
            None => {
                // Ended now, not left for sqlx to roll back on the connection's next use.
                tx.rollback().await?;
                Ok(None)
            }
        }
    }

    /// Claim up to `batch` unsent rows, oldest first, skipping rows other relays hold.
    pub async fn claim_oldest(&self, batch: u32) -> Result<(Lease, Vec<Pending>), OutboxError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query_as(
            "SELECT seq, detail FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        Ok((Lease { tx }, rows))
    }

    /// Age in seconds of the oldest unsent row (0 when none is waiting).
    pub async fn oldest_unsent_age_secs(&self) -> Result<i64, OutboxError> {
        let age: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(TIMESTAMPDIFF(SECOND, MIN(created_at), UTC_TIMESTAMP(6)) AS SIGNED) FROM outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(age.unwrap_or(0).max(0))
    }
}

impl Lease {
    pub async fn mark_sent(&mut self, seq: u64) -> Result<(), OutboxError> {
        sqlx::query(MARK_SENT_SQL)
            .bind(seq)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Count a failed attempt and keep its reason (at most 500 characters) for the operator.
    pub async fn mark_failed(&mut self, seq: u64, reason: &str) -> Result<(), OutboxError> {
        let reason: String = reason.chars().take(500).collect();
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?")
            .bind(reason)
            .bind(seq)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), OutboxError> {
        self.tx.commit().await?;
        Ok(())
    }
}
