//! Invitations in MySQL (`docs/decisions.md#12-account-tokens`). A row keeps SHA-256 of the
//! link's token, never the token; a project has at most one pending invitation per address (a new
//! one replaces it). Accepting is one transaction: claim the invitation, create or find the
//! account, add the membership.

use chrono::{DateTime, Duration, Utc};
use sqlx::{MySql, MySqlPool, Transaction};
use taskboard_domain::time::now_micros;
use taskboard_domain::{
    DisplayName, EmailAddress, InvitationId, ProjectId, ProjectName, ProjectRef, ProjectRole,
    UserId,
};

use crate::users::UserStoreError;

/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::days(7);

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("invitations: {0}")]
    Db(#[from] sqlx::Error),
    #[error("invitations hold an invalid row {id}: {reason}")]
    Corrupt { id: String, reason: String },
    #[error(transparent)]
    Users(#[from] UserStoreError),
}

/// Who sent an invitation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inviter {
    pub id: UserId,
    pub name: DisplayName,
}

/// A pending invitation as owners and the invited person see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Invitation {
    pub id: InvitationId,
    /// `None`: a deployment's first-administrator invitation.
    pub project: Option<ProjectRef>,
    pub email: EmailAddress,
    pub role: ProjectRole,
    #[serde(skip)]
    pub grants_admin: bool,
    pub invited_by: Option<Inviter>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A new invitation, before it is stored.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub project: Option<ProjectId>,
    pub email: EmailAddress,
    pub role: ProjectRole,
    pub grants_admin: bool,
    pub invited_by: Option<UserId>,
}

/// What accepting did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub user_id: UserId,
    pub project: Option<ProjectRef>,
    /// A new account was created (else an existing one joined).
    pub created: bool,
}

/// Who is accepting.
pub enum Joiner<'a> {
    /// The signed-in account; the invitation must be for its address.
    SignedIn(UserId),
    /// Someone who followed the link; a new account gets this name and password hash.
    Visitor {
        name: &'a DisplayName,
        password_hash: &'a str,
    },
}

/// Why an acceptance did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No pending, unexpired invitation has this token.
    InvalidToken,
    /// The signed-in account is not the invited address.
    OtherAccount,
}

const COLUMNS: &str = "i.id, i.project_id, p.name AS project_name, i.email, i.role, i.grants_admin, \
    i.invited_by, u.name AS inviter_name, i.created_at, i.expires_at";
const FROM: &str = "FROM invitations i LEFT JOIN projects p ON p.id = i.project_id \
    LEFT JOIN users u ON u.id = i.invited_by";
const PENDING: &str = "i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?";
/// An archived project takes no new members: its links neither open nor accept (until it is
/// restored, if they have not expired by then).
const OPEN: &str = "p.archived_at IS NULL";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    project_id: Option<String>,
    project_name: Option<String>,
    email: String,
    role: String,
    grants_admin: bool,
    invited_by: Option<String>,
    inviter_name: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl TryFrom<Row> for Invitation {
    type Error = InvitationError;
    fn try_from(r: Row) -> Result<Self, Self::Error> {
        let bad = |reason: String| InvitationError::Corrupt {
            id: r.id.clone(),
            reason,
        };
        let project = match (&r.project_id, &r.project_name) {
            (Some(id), Some(name)) => Some(ProjectRef {
                id: ProjectId::parse(id).map_err(|e| bad(e.to_string()))?,
                name: ProjectName::parse(name).map_err(|e| bad(e.to_string()))?,
            }),
            _ => None,
        };
        let invited_by = match (&r.invited_by, &r.inviter_name) {
            (Some(id), Some(name)) => Some(Inviter {
                id: UserId::parse(id).map_err(|e| bad(e.to_string()))?,
                name: DisplayName::parse(name).map_err(|e| bad(e.to_string()))?,
            }),
            _ => None,
        };
        Ok(Invitation {
            id: InvitationId::parse(&r.id).map_err(|e| bad(e.to_string()))?,
            project,
            email: EmailAddress::parse(&r.email).map_err(|e| bad(e.to_string()))?,
            role: ProjectRole::parse(&r.role).map_err(|e| bad(e.to_string()))?,
            grants_admin: r.grants_admin,
            invited_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
        })
    }
}

#[derive(Clone)]
pub struct InvitationStore {
    pool: MySqlPool,
}

impl InvitationStore {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// Store an invitation whose link's token hashes to `token_hash`, replacing any pending one
    /// for the same address and project.
    pub async fn create(
        &self,
        new: &NewInvitation,
        token_hash: &str,
    ) -> Result<Invitation, InvitationError> {
        let id = InvitationId::new();
        let at = now_micros();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE invitations SET revoked_at = ? WHERE project_id <=> ? AND email = ? \
             AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(new.project.map(|p| p.to_string()))
        .bind(new.email.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO invitations (id, project_id, email, role, grants_admin, token_hash, \
             invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(new.project.map(|p| p.to_string()))
        .bind(new.email.as_str())
        .bind(new.role.as_str())
        .bind(new.grants_admin)
        .bind(token_hash)
        .bind(new.invited_by.map(|u| u.to_string()))
        .bind(at)
        .bind(at + INVITATION_TTL)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.by_id(id)
            .await?
            .ok_or_else(|| InvitationError::Corrupt {
                id: id.to_string(),
                reason: "vanished after insert".into(),
            })
    }

    async fn by_id(&self, id: InvitationId) -> Result<Option<Invitation>, InvitationError> {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE i.id = ?"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .map(Invitation::try_from)
        .transpose()
    }

    /// A project's pending invitations, newest first.
    pub async fn pending(&self, project: ProjectId) -> Result<Vec<Invitation>, InvitationError> {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE i.project_id = ? AND {PENDING} ORDER BY i.created_at DESC"
        )))
        .bind(project.to_string())
        .bind(now_micros())
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Invitation::try_from)
        .collect()
    }

    /// The pending invitation whose link's token hashes to `token_hash`.
    pub async fn find(&self, token_hash: &str) -> Result<Option<Invitation>, InvitationError> {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE i.token_hash = ? AND {PENDING} AND {OPEN}"
        )))
        .bind(token_hash)
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?
        .map(Invitation::try_from)
        .transpose()
    }

    /// Give pending invitation `id` of `project` a new link and a new expiry (resend). `None`
    /// when there is no such pending invitation.
    pub async fn reissue(
        &self,
        project: ProjectId,
        id: InvitationId,
        token_hash: &str,
    ) -> Result<Option<Invitation>, InvitationError> {
        let at = now_micros();
        let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE invitations i SET i.token_hash = ?, i.expires_at = ? \
             WHERE i.id = ? AND i.project_id = ? AND {PENDING}"
        )))
        .bind(token_hash)
        .bind(at + INVITATION_TTL)
        .bind(id.to_string())
        .bind(project.to_string())
        .bind(at)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        self.by_id(id).await
    }

    /// Revoke pending invitation `id` of `project`. False when there was none.
    pub async fn revoke(
        &self,
        project: ProjectId,
        id: InvitationId,
    ) -> Result<bool, InvitationError> {
        let at = now_micros();
        let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE invitations i SET i.revoked_at = ? WHERE i.id = ? AND i.project_id = ? AND {PENDING}"
        )))
        .bind(at)
        .bind(id.to_string())
        .bind(project.to_string())
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Delete invitation `id` if nobody accepted it (its e-mail could not be sent).
    pub async fn discard(&self, id: InvitationId) -> Result<(), InvitationError> {
        sqlx::query("DELETE FROM invitations WHERE id = ? AND accepted_at IS NULL")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Is there a pending invitation to administer a fresh deployment?
    pub async fn pending_admin_invitation(&self) -> Result<bool, InvitationError> {
        let found: Option<(i32,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT 1 FROM invitations i WHERE i.grants_admin AND {PENDING} LIMIT 1"
        )))
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Accept the invitation whose token hashes to `token_hash`, as `joiner`, in one transaction.
    pub async fn accept(
        &self,
        token_hash: &str,
        joiner: Joiner<'_>,
    ) -> Result<Result<Accepted, Refused>, InvitationError> {
        let mut tx = self.pool.begin().await?;
        let at = now_micros();
        let found = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE i.token_hash = ? AND {PENDING} AND {OPEN} FOR UPDATE"
        )))
        .bind(token_hash)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?
        .map(Invitation::try_from)
        .transpose()?;
        let Some(invitation) = found else {
            tx.rollback().await?;
            return Ok(Err(Refused::InvalidToken));
        };
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT id FROM users WHERE email = ? FOR UPDATE")
                .bind(invitation.email.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let existing = existing
            .map(|(id,)| UserId::parse(&id))
            .transpose()
            .map_err(|e| InvitationError::Corrupt {
                id: invitation.id.to_string(),
                reason: e.to_string(),
            })?;
        let (user_id, created) = match (joiner, existing) {
            (Joiner::SignedIn(me), Some(id)) if id == me => (id, false),
            (Joiner::SignedIn(_), _) => {
                tx.rollback().await?;
                return Ok(Err(Refused::OtherAccount));
            }
            (Joiner::Visitor { .. }, Some(id)) => (id, false),
            (
                Joiner::Visitor {
                    name,
                    password_hash,
                },
                None,
            ) => {
                let id = UserId::new();
                sqlx::query(
                    "INSERT INTO users (id, email, name, password_hash, created_at, is_admin, \
                     email_verified_at) VALUES (?, ?, ?, ?, ?, FALSE, ?)",
                )
                .bind(id.to_string())
                .bind(invitation.email.as_str())
                .bind(name.as_str())
                .bind(password_hash)
                .bind(at)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                (id, true)
            }
        };
        // Following the link proved the address; an invitation to administer names an admin.
        sqlx::query(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), \
             is_admin = is_admin OR ? WHERE id = ?",
        )
        .bind(at)
        .bind(invitation.grants_admin)
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?;
        if let Some(project) = &invitation.project {
            add_member(&mut tx, project.id, user_id, invitation.role, at).await?;
        }
        sqlx::query("UPDATE invitations SET accepted_at = ? WHERE id = ?")
            .bind(at)
            .bind(invitation.id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(Accepted {
            user_id,
            project: invitation.project,
            created,
        }))
    }
}

/// Add `user` to `project` as `role`; an existing member keeps their role unless this makes them
/// an owner.
pub async fn add_member(
    tx: &mut Transaction<'_, MySql>,
    project: ProjectId,
    user: UserId,
    role: ProjectRole,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO project_members (project_id, user_id, role, joined_at) VALUES (?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE role = IF(VALUES(role) = 'owner', 'owner', role)",
    )
    .bind(project.to_string())
    .bind(user.to_string())
    .bind(role.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
