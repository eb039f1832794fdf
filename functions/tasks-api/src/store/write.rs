//! Applying a decided change inside its transaction: write the row, keep only current members as
//! the event's recipients, append the event to the outbox, commit. A refusal ends the
//! transaction at once.

use sqlx::{MySql, QueryBuilder, Transaction};
use taskboard_domain::events::{TaskEvent, TaskSnapshot};
use taskboard_domain::{DueDate, TaskDescription};

use super::error::{StoreError, WriteError};
use crate::decide::{Change, Refusal, Write};
use crate::outbox::{self, Appended};

/// The outcome of a write: the task as stored, and the event to relay now (none when nothing
/// changed).
pub struct Written {
    pub task: TaskSnapshot,
    pub appended: Option<Appended>,
}

/// End a refused write's transaction now. Dropped instead, sqlx only queues the `ROLLBACK` for
/// the connection's next use, and until then the pooled connection keeps the row lock (found
/// when a test's `DROP DATABASE` waited on it).
pub async fn refuse(tx: Transaction<'_, MySql>, refusal: Refusal) -> Result<Written, WriteError> {
    tx.rollback().await?;
    Err(refusal.into())
}

/// Write the row, append the event, commit.
pub async fn apply(mut tx: Transaction<'_, MySql>, change: Change) -> Result<Written, WriteError> {
    let appended = apply_in(&mut tx, change.clone()).await?;
    tx.commit().await?;
    Ok(Written {
        task: change.task,
        appended: Some(appended),
    })
}

/// Write the row and append the event, inside the caller's transaction.
pub async fn apply_in(
    tx: &mut Transaction<'_, MySql>,
    change: Change,
) -> Result<Appended, StoreError> {
    let task = &change.task;
    match change.write {
        Write::Insert => {
            sqlx::query(
                "INSERT INTO tasks (id, project_id, title, description, status, assignee_id, due_date, \
                 created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(task.id.to_string())
            .bind(task.project_id.to_string())
            .bind(task.title.as_str())
            .bind(task.description.as_ref().map(TaskDescription::as_str))
            .bind(task.status.as_str())
            .bind(task.assignee.as_ref().map(|a| a.id.to_string()))
            .bind(task.due_date.map(DueDate::date))
            .bind(task.created_by.id.to_string())
            .bind(task.created_at)
            .bind(task.updated_at)
            .bind(task.version)
            .execute(&mut **tx)
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
            .execute(&mut **tx)
            .await?;
        }
        Write::Delete => {
            sqlx::query("DELETE FROM tasks WHERE id = ?")
                .bind(task.id.to_string())
                .execute(&mut **tx)
                .await?;
        }
    }
    let mut event = change.event;
    keep_current_members(tx, &mut event).await?;
    Ok(outbox::append(tx, event).await?)
}

/// Mail goes to current, active members of the task's project only: someone removed from the
/// project or deactivated keeps their name on the task's history but gets no e-mail about it.
async fn keep_current_members(
    tx: &mut Transaction<'_, MySql>,
    event: &mut TaskEvent,
) -> Result<(), StoreError> {
    if event.recipients.is_empty() {
        return Ok(());
    }
    let mut q: QueryBuilder<MySql> = QueryBuilder::new(
        "SELECT m.user_id FROM project_members m JOIN users u ON u.id = m.user_id \
         AND u.deactivated_at IS NULL WHERE m.project_id = ",
    );
    q.push_bind(event.project.id.to_string())
        .push(" AND m.user_id IN (");
    let mut ids = q.separated(", ");
    for r in &event.recipients {
        ids.push_bind(r.person.id.to_string());
    }
    q.push(")");
    let members: Vec<(String,)> = q.build_query_as().fetch_all(&mut **tx).await?;
    event
        .recipients
        .retain(|r| members.iter().any(|(id,)| *id == r.person.id.to_string()));
    Ok(())
}
