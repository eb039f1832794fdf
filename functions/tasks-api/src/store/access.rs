//! What a write reads before its decision, inside its transaction: the task (locked), the actor's
//! membership of its project, and the named assignee if they are an active member of it.

use sqlx::{MySql, MySqlPool, Transaction};
use taskboard_domain::events::{Person, TaskSnapshot};
use taskboard_domain::{ProjectId, ProjectName, ProjectRef, ProjectRole, TaskId, UserId};

use super::error::StoreError;
use super::rows::{self, TaskRow};
use crate::decide::{Access, Seen};

/// Lock task `id` and read everything `actor`'s edit or delete of it needs.
pub async fn seen_for(
    tx: &mut Transaction<'_, MySql>,
    id: TaskId,
    actor: UserId,
    assignee: Option<UserId>,
) -> Result<Seen, StoreError> {
    let Some(task) = lock_task(tx, id).await? else {
        return Ok(Seen::default());
    };
    let project = task.project_id;
    let (access, actor) = load(tx, project, actor).await?.unzip();
    Ok(Seen {
        task: Some(task),
        assignee: member(tx, project, assignee).await?,
        access,
        actor,
    })
}

/// Lock the task's row for this transaction, then read it with its people.
pub async fn lock_task(
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

/// `user`'s membership of `project` and who they are, if they are an active member.
pub async fn load(
    tx: &mut Transaction<'_, MySql>,
    project: ProjectId,
    user: UserId,
) -> Result<Option<(Access, Person)>, StoreError> {
    let row: Option<(String, String, bool, String, String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.name, p.archived_at IS NOT NULL, m.role, u.id, u.name, u.email \
         FROM project_members m JOIN projects p ON p.id = m.project_id \
         JOIN users u ON u.id = m.user_id AND u.deactivated_at IS NULL \
         WHERE m.project_id = ? AND m.user_id = ?",
    )
    .bind(project.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((pid, name, archived, role, uid, uname, email)) = row else {
        return Ok(None);
    };
    let bad = |e: String| StoreError::Corrupt(format!("membership of {pid}: {e}"));
    let access = Access {
        project: ProjectRef {
            id: ProjectId::parse(&pid).map_err(|e| bad(e.to_string()))?,
            name: ProjectName::parse(&name).map_err(|e| bad(e.to_string()))?,
        },
        role: ProjectRole::parse(&role).map_err(|e| bad(e.to_string()))?,
        archived,
    };
    Ok(Some((
        access,
        rows::person(&uid, &uname, &email).map_err(bad)?,
    )))
}

/// The person with id `user`, if they are an active member of `project`.
pub async fn member(
    tx: &mut Transaction<'_, MySql>,
    project: ProjectId,
    user: Option<UserId>,
) -> Result<Option<Person>, StoreError> {
    let Some(user) = user else { return Ok(None) };
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.name, u.email FROM users u JOIN project_members m ON m.user_id = u.id \
         AND m.project_id = ? WHERE u.id = ? AND u.deactivated_at IS NULL",
    )
    .bind(project.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|(id, name, email)| rows::person(&id, &name, &email).map_err(StoreError::Corrupt))
        .transpose()
}

/// Is `user` an active member of `project`?
pub async fn is_member(
    pool: &MySqlPool,
    project: ProjectId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let found: Option<(i32,)> = sqlx::query_as(
        "SELECT 1 FROM project_members m JOIN users u ON u.id = m.user_id \
         AND u.deactivated_at IS NULL WHERE m.project_id = ? AND m.user_id = ?",
    )
    .bind(project.to_string())
    .bind(user.to_string())
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
