//! Tasks in MySQL. A write is one transaction: lock the task's row, read what the decision needs
//! (the actor's membership of the project, the named assignee if a member), run the decision it
//! is given ([`crate::decide`]), then write the row and append the event to the outbox, and commit
//! (`docs/decisions.md#4-transactional-outbox-no-lost-change-no-double-e-mail`). The write's time
//! and ids ([`Stamp`]) are taken once the row is locked, so a later version never carries an
//! earlier time. The store never decides: a refusal comes back as the decision returned it, and
//! [`StoreError`] holds failures only.
//!
//! Reads take the viewer and join their membership into the same query
//! (`docs/decisions.md#11-projects-are-the-unit-of-access`). [`listing`] is the board's page
//! query; `rows` re-parses every row read into domain types; `write` applies a decided change;
//! [`offboard`] unassigns a departing member's open tasks.

use sqlx::MySqlPool;
use taskboard_domain::events::TaskSnapshot;
use taskboard_domain::{ProjectId, TaskId, UserId};

use crate::decide::{Change, Edit, Refusal, Seen, Stamp};
use crate::request::ListQuery;

mod access;
mod error;
pub mod listing;
pub mod offboard;
mod rows;
mod write;

pub use error::{StoreError, WriteError};
pub use write::Written;

use listing::Page;
use rows::TaskRow;

#[derive(Clone)]
pub struct TaskStore {
    pool: MySqlPool,
}

impl TaskStore {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// Task `id`, if `viewer` is an active member of its project.
    pub async fn get(
        &self,
        viewer: UserId,
        id: TaskId,
    ) -> Result<Option<TaskSnapshot>, StoreError> {
        sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(rows::select_visible_task()))
            .bind(viewer.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(TaskSnapshot::try_from)
            .transpose()
    }

    /// A page of the tasks `viewer` may see, newest first ([`listing`]). `None`: the query names
    /// a project the viewer is not a member of.
    pub async fn list(
        &self,
        viewer: UserId,
        query: &ListQuery,
    ) -> Result<Option<Page>, StoreError> {
        listing::page(&self.pool, viewer, query).await
    }

    /// Is `user` an active member of `project`? (`None` when not: answered like no project.)
    pub async fn is_member(&self, user: UserId, project: ProjectId) -> Result<bool, StoreError> {
        Ok(access::is_member(&self.pool, project, user).await?)
    }

    /// Create a task in `project` as `actor`, naming `assignee`, as `decide` says.
    pub async fn create(
        &self,
        actor: UserId,
        project: ProjectId,
        assignee: Option<UserId>,
        decide: impl FnOnce(Seen, Stamp) -> Result<Change, Refusal>,
    ) -> Result<Written, WriteError> {
        let mut tx = self.pool.begin().await?;
        let (access, actor) = access::load(&mut tx, project, actor).await?.unzip();
        let seen = Seen {
            task: None,
            assignee: access::member(&mut tx, project, assignee).await?,
            access,
            actor,
        };
        match decide(seen, Stamp::now()) {
            Ok(change) => write::apply(tx, change).await,
            Err(refusal) => write::refuse(tx, refusal).await,
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
        let seen = access::seen_for(&mut tx, id, actor, assignee).await?;
        match decide(seen, Stamp::now()) {
            Ok(Edit::Changed(change)) => write::apply(tx, change).await,
            Ok(Edit::Unchanged(task)) => {
                tx.rollback().await?;
                Ok(Written {
                    task,
                    appended: None,
                })
            }
            Err(refusal) => write::refuse(tx, refusal).await,
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
        let seen = access::seen_for(&mut tx, id, actor, None).await?;
        match decide(seen, Stamp::now()) {
            Ok(change) => write::apply(tx, change).await,
            Err(refusal) => write::refuse(tx, refusal).await,
        }
    }
}
