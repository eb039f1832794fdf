//! The outbox table, and the only code that touches it (`docs/decisions.md#4-transactional-outbox-no-lost-change-no-double-e-mail`).
//!
//! A write appends its event inside its own transaction ([`append`]), so no change exists without
//! its event. A relay then claims unsent rows in a short transaction of its own, which gives each
//! a lease ([`LEASE_SECS`]) and ends before any AWS call; it delivers them, and marks each row
//! as it succeeds or fails. So no row lock is held across a network call, a relay that times out
//! re-delivers only what it had not marked, and a relay that dies leaves its rows to the next one
//! once the lease runs out.
//!
//! - **One task's events go out in order**: a row is claimable only when no earlier row of its
//!   task is still waiting (unsent and not dead), including one leased to another relay.
//! - **A poison row does not block the rest**: after [`MAX_ATTEMPTS`] failed deliveries (or at
//!   once, for an event that cannot be read) it is set aside as dead, counted by the
//!   `OutboxDeadRows` metric and alarm, and left for an operator (`docs/operations.md`).

use sqlx::{MySql, MySqlPool, Transaction};
use taskboard_domain::events::TaskEvent;

/// How long the scheduled relay's claim holds a row: above its 60 s timeout, so a live relay
/// never loses its rows; a dead one's are taken again two minutes later.
pub const LEASE_SECS: u32 = 120;
/// How long the inline relay's claim holds a row: above its 3 s budget, after which its work is
/// dropped mid-way (`relay::INLINE_BUDGET`), so such a row waits seconds, not minutes.
pub const INLINE_LEASE_SECS: u32 = 10;
/// Failed deliveries after which a row is set aside as dead, once it is also [`DEAD_AFTER_MINUTES`]
/// old: every inline relay of a later write to the task tries the task's earliest row again, so
/// attempts alone could kill a row within a minute of an AWS blip (found in review). An AWS outage
/// longer than that sets rows aside too; the runbook re-queues them with one statement.
pub const MAX_ATTEMPTS: u32 = 10;
/// See [`MAX_ATTEMPTS`].
pub const DEAD_AFTER_MINUTES: u32 = 10;

/// Rows a relay may claim: unsent, alive, not leased, and the first waiting row of their task
/// (a macro, so the statements stay `&'static str`).
macro_rules! claimable {
    () => {
        "o.sent_at IS NULL AND o.dead_at IS NULL \
         AND (o.lease_until IS NULL OR o.lease_until < UTC_TIMESTAMP(6)) \
         AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.task_id = o.task_id AND e.seq < o.seq \
                         AND e.sent_at IS NULL AND e.dead_at IS NULL)"
    };
}

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
    pub task_id: String,
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
    batch_lease_secs: u32,
}

/// What the inline relay may do next for its row.
#[derive(Debug)]
pub enum Next {
    /// Deliver this row (the write's own, or an earlier one of its task) and mark it.
    Claimed(Pending),
    /// Another relay holds the row or an earlier one of its task: wait for it.
    Busy,
    /// The row is sent or set aside: nothing left to do.
    Done,
}

/// What became of a failed row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Back in the queue for the next relay.
    WillRetry,
    /// Set aside: it failed [`MAX_ATTEMPTS`] times, or cannot be delivered at all.
    Dead,
}

impl Outbox {
    pub fn new(pool: MySqlPool) -> Self {
        Self {
            pool,
            batch_lease_secs: LEASE_SECS,
        }
    }

    /// Lease batches for `secs` instead of [`LEASE_SECS`] (a relay with a shorter timeout).
    pub fn with_batch_lease(mut self, secs: u32) -> Self {
        self.batch_lease_secs = secs;
        self
    }

    /// For the inline relay of the row `seq` a write just appended: claim the first waiting row
    /// of its task up to `seq` (its own, or an earlier one left behind, which must go first).
    pub async fn claim_up_to(&self, seq: u64) -> Result<Next, OutboxError> {
        retry_deadlock(|| self.try_claim_up_to(seq)).await
    }

    async fn try_claim_up_to(&self, seq: u64) -> Result<Next, OutboxError> {
        let mut tx = self.pool.begin().await?;
        let row: Option<Pending> = sqlx::query_as(concat!(
            "SELECT o.seq, o.task_id, o.detail FROM outbox o \
             WHERE o.task_id = (SELECT task_id FROM outbox WHERE seq = ?) AND o.seq <= ? AND ",
            claimable!(),
            " ORDER BY o.seq LIMIT 1 FOR UPDATE SKIP LOCKED"
        ))
        .bind(seq)
        .bind(seq)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.commit().await?;
            let waiting: Option<bool> = sqlx::query_scalar(
                "SELECT sent_at IS NULL AND dead_at IS NULL FROM outbox WHERE seq = ?",
            )
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
            return Ok(if waiting == Some(true) {
                Next::Busy
            } else {
                Next::Done
            });
        };
        lease(&mut tx, &[row.seq], INLINE_LEASE_SECS).await?;
        tx.commit().await?;
        Ok(Next::Claimed(row))
    }

    /// Claim up to `batch` rows, oldest first, skipping what other relays hold.
    pub async fn claim_batch(&self, batch: u32) -> Result<Vec<Pending>, OutboxError> {
        retry_deadlock(|| self.try_claim_batch(batch)).await
    }

    async fn try_claim_batch(&self, batch: u32) -> Result<Vec<Pending>, OutboxError> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<Pending> = sqlx::query_as(concat!(
            "SELECT o.seq, o.task_id, o.detail FROM outbox o WHERE ",
            claimable!(),
            " ORDER BY o.seq LIMIT ? FOR UPDATE SKIP LOCKED"
        ))
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        // The NOT EXISTS above reads a snapshot, so two rows of one task committed while the scan
        // ran can both pass it (reproduced on MariaDB in review): keep each task's first only.
        let mut tasks = std::collections::HashSet::new();
        let rows: Vec<Pending> = rows
            .into_iter()
            .filter(|row| tasks.insert(row.task_id.clone()))
            .collect();
        let seqs: Vec<u64> = rows.iter().map(|r| r.seq).collect();
        lease(&mut tx, &seqs, self.batch_lease_secs).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The row was delivered.
    pub async fn mark_sent(&self, seq: u64) -> Result<(), OutboxError> {
        retry_deadlock(|| async {
            sqlx::query(
                "UPDATE outbox SET sent_at = UTC_TIMESTAMP(6), attempts = attempts + 1, lease_until = NULL WHERE seq = ?",
            )
            .bind(seq)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// Count a failed delivery and keep its reason (at most 500 characters); the row dies on its
    /// [`MAX_ATTEMPTS`]th failure, or at once when `permanent`.
    pub async fn mark_failed(
        &self,
        seq: u64,
        reason: &str,
        permanent: bool,
    ) -> Result<Failed, OutboxError> {
        let reason: String = reason.chars().take(500).collect();
        // `dead_at` is assigned before `attempts`: MySQL evaluates the assignments in order.
        retry_deadlock(|| async {
            sqlx::query(
                "UPDATE outbox SET dead_at = IF(? OR (attempts + 1 >= ? \
                   AND created_at < UTC_TIMESTAMP(6) - INTERVAL ? MINUTE), UTC_TIMESTAMP(6), NULL), \
                 attempts = attempts + 1, last_error = ?, lease_until = NULL WHERE seq = ?",
            )
            .bind(permanent)
            .bind(MAX_ATTEMPTS)
            .bind(DEAD_AFTER_MINUTES)
            .bind(&reason)
            .bind(seq)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await?;
        let dead: Option<Option<chrono::NaiveDateTime>> =
            sqlx::query_scalar("SELECT dead_at FROM outbox WHERE seq = ?")
                .bind(seq)
                .fetch_optional(&self.pool)
                .await?;
        Ok(if matches!(dead, Some(Some(_))) {
            Failed::Dead
        } else {
            Failed::WillRetry
        })
    }

    /// Give claimed rows back without an attempt (a pass that stopped early).
    pub async fn release(&self, seqs: &[u64]) -> Result<(), OutboxError> {
        if seqs.is_empty() {
            return Ok(());
        }
        let mut query =
            sqlx::QueryBuilder::new("UPDATE outbox SET lease_until = NULL WHERE seq IN (");
        let mut list = query.separated(", ");
        for seq in seqs {
            list.push_bind(*seq);
        }
        query.push(")");
        query.build().execute(&self.pool).await?;
        Ok(())
    }

    /// Age in seconds of the oldest row waiting to be sent (0 when none is); dead rows are
    /// counted by [`Outbox::dead_rows`] instead.
    pub async fn oldest_unsent_age_secs(&self) -> Result<i64, OutboxError> {
        let age: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(TIMESTAMPDIFF(SECOND, MIN(created_at), UTC_TIMESTAMP(6)) AS SIGNED) FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(age.unwrap_or(0).max(0))
    }

    /// Rows set aside as dead and not yet re-queued or discarded by an operator.
    pub async fn dead_rows(&self) -> Result<i64, OutboxError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE dead_at IS NOT NULL AND sent_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}

/// Run a claiming transaction again when InnoDB chose it as a deadlock's victim (concurrent
/// relays locking neighbouring rows: seen with three relays on twelve rows), as MySQL advises.
/// Nothing was claimed by the rolled-back attempt.
async fn retry_deadlock<T, F, Fut>(mut attempt: F) -> Result<T, OutboxError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, OutboxError>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(OutboxError::Db(sqlx::Error::Database(db)))
                if db.code().as_deref() == Some("40001") && tries < 4 =>
            {
                tracing::debug!(tries, "outbox claim was a deadlock victim; trying again");
                tries += 1;
            }
            other => return other,
        }
    }
}

/// Lease `seqs` for `secs` inside the claiming transaction.
async fn lease(
    tx: &mut Transaction<'_, MySql>,
    seqs: &[u64],
    secs: u32,
) -> Result<(), OutboxError> {
    if seqs.is_empty() {
        return Ok(());
    }
    let mut query =
        sqlx::QueryBuilder::new("UPDATE outbox SET lease_until = UTC_TIMESTAMP(6) + INTERVAL ");
    query.push_bind(secs);
    query.push(" SECOND WHERE seq IN (");
    let mut list = query.separated(", ");
    for seq in seqs {
        list.push_bind(*seq);
    }
    query.push(")");
    query.build().execute(&mut **tx).await?;
    Ok(())
}
