//! Off-boarding: taking someone off a project (an owner removes them, or they leave) or off the
//! site (an administrator deactivates them). Either way their open tasks become unassigned in the
//! same transaction, each a change like any other: logged, and e-mailed to the people it still
//! concerns (the task's creator, if they are a member).

use sqlx::{MySql, MySqlPool, Transaction};
use taskboard_domain::events::Person;
use taskboard_domain::{ProjectId, ProjectName, ProjectRef, TaskId, UserId};

use super::access;
use super::error::StoreError;
use super::rows;
use super::write;
use crate::decide::{self, Edit, Seen, Stamp};
use crate::outbox::Appended;
use crate::projects::{self, MemberRefusal, ProjectError};

#[derive(Debug, thiserror::Error)]
pub enum OffboardError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Projects(#[from] ProjectError),
}

impl From<sqlx::Error> for OffboardError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(err.into())
    }
}

#[derive(Clone)]
pub struct Offboarding {
    pool: MySqlPool,
}

impl Offboarding {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// `actor` takes `member` off `project` (owners remove anyone; anyone may leave). Returns the
    /// events of the tasks it unassigned, to relay.
    pub async fn remove_member(
        &self,
        project: ProjectId,
        actor: UserId,
        member: UserId,
    ) -> Result<Result<Vec<Appended>, MemberRefusal>, OffboardError> {
        let mut tx = self.pool.begin().await?;
        let members = projects::lock_members(&mut tx, project).await?;
        let acting = access::load(&mut tx, project, actor).await?;
        let checked = match acting {
            None => Err(MemberRefusal::NotFound),
            Some(_) => projects::may_change(&members, actor, member, None),
        };
        let (Ok(()), Some((access, person))) = (checked, acting) else {
            tx.rollback().await?;
            return Ok(Err(checked.err().unwrap_or(MemberRefusal::NotFound)));
        };
        sqlx::query("DELETE FROM project_members WHERE project_id = ? AND user_id = ?")
            .bind(project.to_string())
            .bind(member.to_string())
            .execute(&mut *tx)
            .await?;
        let appended = unassign_open(&mut tx, &access.project, &person, member).await?;
        tx.commit().await?;
        Ok(Ok(appended))
    }

    /// Deactivate (`true`) or reactivate `user`, as administrator `admin`. Deactivating unassigns
    /// their open tasks in every project. Returns the events to relay; `None`: no such user.
    pub async fn set_deactivated(
        &self,
        admin: UserId,
        user: UserId,
        deactivated: bool,
    ) -> Result<Option<Vec<Appended>>, OffboardError> {
        let mut tx = self.pool.begin().await?;
        let Some(admin) = person(&mut tx, admin).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let stamp = Stamp::now().at;
        let updated = sqlx::query(
            "UPDATE users SET deactivated_at = CASE WHEN ? THEN COALESCE(deactivated_at, ?) \
             ELSE NULL END WHERE id = ?",
        )
        .bind(deactivated)
        .bind(stamp)
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0
            && sqlx::query_as::<_, (i32,)>("SELECT 1 FROM users WHERE id = ?")
                .bind(user.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .is_none()
        {
            tx.rollback().await?;
            return Ok(None);
        }
        let mut appended = Vec::new();
        if deactivated {
            let their: Vec<(String, String)> = sqlx::query_as(
                "SELECT p.id, p.name FROM project_members m JOIN projects p ON p.id = m.project_id \
                 WHERE m.user_id = ? ORDER BY p.id",
            )
            .bind(user.to_string())
            .fetch_all(&mut *tx)
            .await?;
            for (id, name) in their {
                let bad = |e: String| StoreError::Corrupt(format!("project {id}: {e}"));
                let project = ProjectRef {
                    id: ProjectId::parse(&id).map_err(|e| bad(e.to_string()))?,
                    name: ProjectName::parse(&name).map_err(|e| bad(e.to_string()))?,
                };
                appended.extend(unassign_open(&mut tx, &project, &admin, user).await?);
            }
        }
        tx.commit().await?;
        Ok(Some(appended))
    }
}

async fn person(tx: &mut Transaction<'_, MySql>, id: UserId) -> Result<Option<Person>, StoreError> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, name, email FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|(id, name, email)| rows::person(&id, &name, &email).map_err(StoreError::Corrupt))
        .transpose()
}

/// Unassign `user`'s open (not done) tasks in `project`, as `actor`, inside `tx`.
async fn unassign_open(
    tx: &mut Transaction<'_, MySql>,
    project: &ProjectRef,
    actor: &Person,
    user: UserId,
) -> Result<Vec<Appended>, StoreError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM tasks WHERE project_id = ? AND assignee_id = ? AND status <> 'done' \
         ORDER BY id FOR UPDATE",
    )
    .bind(project.id.to_string())
    .bind(user.to_string())
    .fetch_all(&mut **tx)
    .await?;
    let mut appended = Vec::with_capacity(ids.len());
    for (id,) in ids {
        let id = TaskId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let seen = Seen {
            task: access::lock_task(tx, id).await?,
            actor: Some(actor.clone()),
            ..Seen::default()
        };
        match decide::unassign(seen, actor.id, project.clone(), Stamp::now()) {
            Ok(Edit::Changed(change)) => appended.push(write::apply_in(tx, change).await?),
            Ok(Edit::Unchanged(_)) => {}
            Err(refusal) => {
                return Err(StoreError::Corrupt(format!(
                    "unassigning task {id} was refused: {refusal}"
                )));
            }
        }
    }
    Ok(appended)
}
