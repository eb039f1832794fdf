//! Tasks in MySQL. A write is one transaction: lock the task's row, read what the decision needs,
//! run the decision it is given ([`crate::decide`]), then write the row and append the event to
//! the outbox, and commit (`docs/decisions.md#4-transactional-outbox-no-lost-change-no-double-e-mail`).
//! The write's time and ids ([`Stamp`]) are taken once the row is locked, so a later version never
//! carries an earlier time (the change log orders a task's history by it). The store never
//! decides: a refusal comes back as the decision returned it, and [`StoreError`]
//! holds failures only. [`listing`] is the board's page query; `rows` re-parses every row read
//! into domain types.

use sqlx::{MySql, MySqlPool, Transaction};
use taskboard_domain::events::{Person, TaskSnapshot};
use taskboard_domain::{DueDate, TaskDescription, TaskId, UserId};

use crate::decide::{Change, Edit, Refusal, Seen, Stamp, Write};
use crate::outbox::{self, Appended};
use crate::request::ListFilter;

mod error;
pub mod listing;
mod rows;

pub use error::{StoreError, WriteError};

use listing::Page;
use rows::TaskRow;

/// The outcome of a write: the task as stored, and the event to relay now (none when nothing
/// changed).
pub struct Written {
    pub task: TaskSnapshot,
    pub appended: Option<Appended>,
}

#[derive(Clone)]
pub struct TaskStore {
    pool: MySqlPool,
}

impl TaskStore {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    pub async fn get(&self, id: TaskId) -> Result<Option<TaskSnapshot>, StoreError> {
        sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(rows::select_one_task()))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(TaskSnapshot::try_from)
            .transpose()
    }

    /// A page of tasks, newest first ([`listing`]).
    pub async fn list(
        &self,
        filter: &ListFilter,
        after: Option<TaskId>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        listing::page(&self.pool, filter, after, limit).await
    }

    /// Create a task as `actor`, naming `assignee`, as `decide` says.
    pub async fn create(
        &self,
        actor: UserId,
        assignee: Option<UserId>,
        decide: impl FnOnce(Seen, Stamp) -> Result<Change, Refusal>,
    ) -> Result<Written, WriteError> {
        let mut tx = self.pool.begin().await?;
        let seen = Seen {
            task: None,
            actor: load_person(&mut tx, Some(actor)).await?,
            assignee: load_person(&mut tx, assignee).await?,
        };
        match decide(seen, Stamp::now()) {
            Ok(change) => apply(tx, change).await,
            Err(refusal) => refuse(tx, refusal).await,
        }
    }

    /// Edit task `id` as `actor`, naming `assignee` (when the patch assigns someone by id), as
    /// `decide` says. A decision that changes nothing writes nothing.
    pub async fn edit(
        &self,
        id: TaskId,
        actor: UserId,
        assignee: Option<UserId>,
        decide: impl FnOnce(Seen, Stamp) -> Result<Edit, Refusal>,
    ) -> Result<Written, WriteError> {
        let mut tx = self.pool.begin().await?;
        let seen = Seen {
            task: lock_task(&mut tx, id).await?,
            actor: load_person(&mut tx, Some(actor)).await?,
            assignee: load_person(&mut tx, assignee).await?,
        };
        match decide(seen, Stamp::now()) {
            Ok(Edit::Changed(change)) => apply(tx, change).await,
            Ok(Edit::Unchanged(task)) => {
                tx.rollback().await?;
                Ok(Written {
                    task,
                    appended: None,
                })
            }
            Err(refusal) => refuse(tx, refusal).await,
        }
    }

    /// Delete task `id` as `actor`, as `decide` says.
    pub async fn delete(
        &self,
        id: TaskId,
        actor: UserId,
        decide: impl FnOnce(Seen, Stamp) -> Result<Change, Refusal>,
    ) -> Result<Written, WriteError> {
        let mut tx = self.pool.begin().await?;
        let seen = Seen {
            task: lock_task(&mut tx, id).await?,
            actor: load_person(&mut tx, Some(actor)).await?,
            assignee: None,
        };
        match decide(seen, Stamp::now()) {
            Ok(change) => apply(tx, change).await,
            Err(refusal) => refuse(tx, refusal).await,
        }
    }
}

/// End a refused write's transaction now. Dropped instead, sqlx only queues the `ROLLBACK` for
/// the connection's next use, and until then the pooled connection keeps the row lock (found
/// when a test's `DROP DATABASE` waited on it).
async fn refuse(tx: Transaction<'_, MySql>, refusal: Refusal) -> Result<Written, WriteError> {
    tx.rollback().await?;
    Err(refusal.into())
}

/// Write the row, append the event, commit.
async fn apply(mut tx: Transaction<'_, MySql>, change: Change) -> Result<Written, WriteError> {
    let task = &change.task;
    match change.write {
        Write::Insert => {
            sqlx::query(
                "INSERT INTO tasks (id, title, description, status, assignee_id, due_date, created_by, \
                 created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(task.id.to_string())
            .bind(task.title.as_str())
            .bind(task.description.as_ref().map(TaskDescription::as_str))
            .bind(task.status.as_str())
            .bind(task.assignee.as_ref().map(|a| a.id.to_string()))
            .bind(task.due_date.map(DueDate::date))
            .bind(task.created_by.id.to_string())
            .bind(task.created_at)
            .bind(task.updated_at)
            .bind(task.version)
            .execute(&mut *tx)
            .await?;
        }
        Write::Update { from_version } => {
            sqlx::query(
                "UPDATE tasks SET title = ?, description = ?, status = ?, assignee_id = ?, due_date = ?, \
                 updated_at = ?, version = ? WHERE id = ? AND version = ?",
            )
            .bind(task.title.as_str())
            .bind(task.description.as_ref().map(TaskDescription::as_str))
            .bind(task.status.as_str())
            .bind(task.assignee.as_ref().map(|a| a.id.to_string()))
            .bind(task.due_date.map(DueDate::date))
            .bind(task.updated_at)
            .bind(task.version)
            .bind(task.id.to_string())
            .bind(from_version)
            .execute(&mut *tx)
            .await?;
        }
        Write::Delete => {
            sqlx::query("DELETE FROM tasks WHERE id = ?")
                .bind(task.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
    }
    let appended = outbox::append(&mut tx, change.event)
        .await
        .map_err(StoreError::from)?;
    tx.commit().await?;
    Ok(Written {
        task: change.task,
        appended: Some(appended),
    })
}

/// Lock the task's row for this transaction, then read it with its people.
async fn lock_task(
    tx: &mut Transaction<'_, MySql>,
    id: TaskId,
) -> Result<Option<TaskSnapshot>, StoreError> {
    let locked: Option<(u32,)> =
        sqlx::query_as("SELECT version FROM tasks WHERE id = ? FOR UPDATE")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    if locked.is_none() {
        return Ok(None);
    }
    sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(rows::select_one_task()))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .map(TaskSnapshot::try_from)
        .transpose()
}

async fn load_person(
    tx: &mut Transaction<'_, MySql>,
    id: Option<UserId>,
) -> Result<Option<Person>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, name, email FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|(id, name, email)| rows::person(&id, &name, &email).map_err(StoreError::Corrupt))
        .transpose()
}
