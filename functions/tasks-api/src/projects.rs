//! Projects and their members in MySQL (`docs/decisions.md#11-projects-are-the-unit-of-access`).
//! Every read is for a viewer and returns nothing unless they are an active member; every change
//! of membership locks the project's member rows first, so "a project always has an owner" holds
//! under concurrent changes. Removing a member (which also unassigns their open tasks) is in
//! [`crate::store::offboard`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{MySql, MySqlPool, Transaction};
use taskboard_domain::time::now_micros;
use taskboard_domain::{DisplayName, EmailAddress, ProjectId, ProjectName, ProjectRole, UserId};

/// A project as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectView {
    pub id: ProjectId,
    pub name: ProjectName,
    /// The viewer's role.
    pub role: ProjectRole,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
}

/// A member as the project's members see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: UserId,
    pub name: DisplayName,
    pub email: EmailAddress,
    pub role: ProjectRole,
    pub deactivated: bool,
}

/// Why a membership change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRefusal {
    /// No such project or member, as far as the actor may know.
    NotFound,
    /// Only owners may do this.
    NotOwner,
    /// It would leave the project without an owner.
    LastOwner,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("projects: {0}")]
    Db(#[from] sqlx::Error),
    #[error("projects hold an invalid row: {0}")]
    Corrupt(String),
}

/// A change to a project's settings; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ProjectPatch {
    pub name: Option<ProjectName>,
    pub archived: Option<bool>,
}

const VIEW: &str = "SELECT p.id, p.name, m.role, p.archived_at IS NOT NULL AS archived, p.created_at \
    FROM project_members m JOIN projects p ON p.id = m.project_id \
    JOIN users me ON me.id = m.user_id AND me.deactivated_at IS NULL WHERE m.user_id = ?";

type ViewRow = (String, String, String, bool, DateTime<Utc>);

fn view((id, name, role, archived, created_at): ViewRow) -> Result<ProjectView, ProjectError> {
    let bad = |e: String| ProjectError::Corrupt(format!("project {id}: {e}"));
    Ok(ProjectView {
        id: ProjectId::parse(&id).map_err(|e| bad(e.to_string()))?,
        name: ProjectName::parse(&name).map_err(|e| bad(e.to_string()))?,
        role: ProjectRole::parse(&role).map_err(|e| bad(e.to_string()))?,
        archived,
        created_at,
    })
}

/// The members of `project` with their roles, locked for this transaction.
pub async fn lock_members(
    tx: &mut Transaction<'_, MySql>,
    project: ProjectId,
) -> Result<Vec<(UserId, ProjectRole)>, ProjectError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, role FROM project_members WHERE project_id = ? ORDER BY user_id FOR UPDATE",
    )
    .bind(project.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(id, role)| {
            Ok((
                UserId::parse(&id).map_err(|e| ProjectError::Corrupt(e.to_string()))?,
                ProjectRole::parse(&role).map_err(|e| ProjectError::Corrupt(e.to_string()))?,
            ))
        })
        .collect()
}

/// May `actor` change `target`'s membership of a project whose members are `members`, leaving
/// `target` with `new_role` (`None`: removed)? Anyone may leave; owners change anyone.
pub fn may_change(
    members: &[(UserId, ProjectRole)],
    actor: UserId,
    target: UserId,
    new_role: Option<ProjectRole>,
) -> Result<(), MemberRefusal> {
    let role_of = |who| members.iter().find(|(id, _)| *id == who).map(|(_, r)| *r);
    let actor_role = role_of(actor).ok_or(MemberRefusal::NotFound)?;
    let target_role = role_of(target).ok_or(MemberRefusal::NotFound)?;
    let leaving = actor == target && new_role.is_none();
    if actor_role != ProjectRole::Owner && !leaving {
        return Err(MemberRefusal::NotOwner);
    }
    let owners = members
        .iter()
        .filter(|(_, r)| *r == ProjectRole::Owner)
        .count();
    if target_role == ProjectRole::Owner && new_role != Some(ProjectRole::Owner) && owners <= 1 {
        return Err(MemberRefusal::LastOwner);
    }
    Ok(())
}

#[derive(Clone)]
pub struct ProjectStore {
    pool: MySqlPool,
}

impl ProjectStore {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// `viewer`'s projects, by name.
    pub async fn mine(&self, viewer: UserId) -> Result<Vec<ProjectView>, ProjectError> {
        sqlx::query_as::<_, ViewRow>(sqlx::AssertSqlSafe(format!("{VIEW} ORDER BY p.name, p.id")))
            .bind(viewer.to_string())
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(view)
            .collect()
    }

    /// Project `id`, if `viewer` is an active member.
    pub async fn get(
        &self,
        viewer: UserId,
        id: ProjectId,
    ) -> Result<Option<ProjectView>, ProjectError> {
        sqlx::query_as::<_, ViewRow>(sqlx::AssertSqlSafe(format!("{VIEW} AND p.id = ?")))
            .bind(viewer.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(view)
            .transpose()
    }

    /// A new project named `name`, owned by `owner`.
    pub async fn create(
        &self,
        owner: UserId,
        name: &ProjectName,
    ) -> Result<ProjectView, ProjectError> {
        let id = ProjectId::new();
        let at = now_micros();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)")
            .bind(id.to_string())
            .bind(name.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        taskboard_mysql::invitations::add_member(&mut tx, id, owner, ProjectRole::Owner, at)
            .await?;
        tx.commit().await?;
        Ok(ProjectView {
            id,
            name: name.clone(),
            role: ProjectRole::Owner,
            archived: false,
            created_at: at,
        })
    }

    /// Rename or (un)archive project `id` as `actor`, who must be an owner.
    pub async fn update(
        &self,
        actor: UserId,
        id: ProjectId,
        patch: &ProjectPatch,
    ) -> Result<Result<ProjectView, MemberRefusal>, ProjectError> {
        match self.get(actor, id).await? {
            None => return Ok(Err(MemberRefusal::NotFound)),
            Some(p) if p.role != ProjectRole::Owner => return Ok(Err(MemberRefusal::NotOwner)),
            Some(_) => {}
        }
        sqlx::query(
            "UPDATE projects SET name = COALESCE(?, name), archived_at = CASE WHEN ? IS NULL \
             THEN archived_at WHEN ? THEN COALESCE(archived_at, ?) ELSE NULL END WHERE id = ?",
        )
        .bind(patch.name.as_ref().map(ProjectName::as_str))
        .bind(patch.archived)
        .bind(patch.archived)
        .bind(now_micros())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(self.get(actor, id).await?.ok_or(MemberRefusal::NotFound))
    }

    /// The members of project `id`, by name, if `viewer` is one.
    pub async fn members(
        &self,
        viewer: UserId,
        id: ProjectId,
    ) -> Result<Option<Vec<Member>>, ProjectError> {
        if self.get(viewer, id).await?.is_none() {
            return Ok(None);
        }
        let rows: Vec<(String, String, String, String, bool)> = sqlx::query_as(
            "SELECT u.id, u.name, u.email, m.role, u.deactivated_at IS NOT NULL \
             FROM project_members m JOIN users u ON u.id = m.user_id \
             WHERE m.project_id = ? ORDER BY u.name, u.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(uid, name, email, role, deactivated)| {
                let bad = |e: String| ProjectError::Corrupt(format!("member {uid}: {e}"));
                Ok(Member {
                    id: UserId::parse(&uid).map_err(|e| bad(e.to_string()))?,
                    name: DisplayName::parse(&name).map_err(|e| bad(e.to_string()))?,
                    email: EmailAddress::parse(&email).map_err(|e| bad(e.to_string()))?,
                    role: ProjectRole::parse(&role).map_err(|e| bad(e.to_string()))?,
                    deactivated,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Give `target` the role `role` in project `id`, as `actor` (an owner).
    pub async fn set_role(
        &self,
        actor: UserId,
        id: ProjectId,
        target: UserId,
        role: ProjectRole,
    ) -> Result<Result<(), MemberRefusal>, ProjectError> {
        if self.get(actor, id).await?.is_none() {
            return Ok(Err(MemberRefusal::NotFound));
        }
        let mut tx = self.pool.begin().await?;
        let members = lock_members(&mut tx, id).await?;
        if let Err(refusal) = may_change(&members, actor, target, Some(role)) {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
        sqlx::query("UPDATE project_members SET role = ? WHERE project_id = ? AND user_id = ?")
            .bind(role.as_str())
            .bind(id.to_string())
            .bind(target.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_membership_rules() {
        let (owner, other_owner, member, outsider) =
            (UserId::new(), UserId::new(), UserId::new(), UserId::new());
        let one_owner = [(owner, ProjectRole::Owner), (member, ProjectRole::Member)];
        // Owners change anyone; members only leave.
        assert_eq!(may_change(&one_owner, owner, member, None), Ok(()));
        assert_eq!(
            may_change(&one_owner, owner, member, Some(ProjectRole::Owner)),
            Ok(())
        );
        assert_eq!(may_change(&one_owner, member, member, None), Ok(()));
        assert_eq!(
            may_change(&one_owner, member, owner, None),
            Err(MemberRefusal::NotOwner)
        );
        assert_eq!(
            may_change(&one_owner, member, member, Some(ProjectRole::Owner)),
            Err(MemberRefusal::NotOwner)
        );
        // The last owner can neither leave nor step down.
        assert_eq!(
            may_change(&one_owner, owner, owner, None),
            Err(MemberRefusal::LastOwner)
        );
        assert_eq!(
            may_change(&one_owner, owner, owner, Some(ProjectRole::Member)),
            Err(MemberRefusal::LastOwner)
        );
        let two_owners = [
            (owner, ProjectRole::Owner),
            (other_owner, ProjectRole::Owner),
        ];
        assert_eq!(may_change(&two_owners, owner, owner, None), Ok(()));
        // Outsiders learn nothing.
        assert_eq!(
            may_change(&one_owner, outsider, member, None),
            Err(MemberRefusal::NotFound)
        );
        assert_eq!(
            may_change(&one_owner, owner, outsider, None),
            Err(MemberRefusal::NotFound)
        );
    }
}
