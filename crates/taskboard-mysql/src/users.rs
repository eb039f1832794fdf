//! Users in MySQL. Only this adapter ever sees a password hash, and only login asks for it.
//! Every row read is re-parsed into domain types.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;
use taskboard_domain::time::now_micros;

use taskboard_domain::{DisplayName, EmailAddress, User, UserId};

#[derive(Debug, thiserror::Error)]
pub enum UserStoreError {
    #[error("a user with this e-mail address already exists")]
    EmailTaken,
    #[error("user store: {0}")]
    Db(#[from] sqlx::Error),
    #[error("user store holds an invalid row for user {id}: {reason}")]
    Corrupt { id: String, reason: String },
}

/// The columns of a user as [`UserRow`] reads them.
pub const USER_COLUMNS: &str = "id, email, name, created_at, is_admin, email_verified_at IS NOT NULL AS verified, deactivated_at IS NOT NULL AS deactivated";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    name: String,
    created_at: DateTime<Utc>,
    is_admin: bool,
    verified: bool,
    deactivated: bool,
}

impl TryFrom<UserRow> for Account {
    type Error = UserStoreError;
    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let corrupt = |reason: String| UserStoreError::Corrupt {
            id: row.id.clone(),
            reason,
        };
        Ok(Account {
            user: User {
                id: UserId::parse(&row.id).map_err(|e| corrupt(e.to_string()))?,
                email: EmailAddress::parse(&row.email).map_err(|e| corrupt(e.to_string()))?,
                name: DisplayName::parse(&row.name).map_err(|e| corrupt(e.to_string()))?,
                created_at: row.created_at,
                is_admin: row.is_admin,
            },
            verified: row.verified,
            deactivated: row.deactivated,
        })
    }
}

/// A person and the state of their account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    /// Their address is proven (a verification or invitation link was followed).
    #[serde(skip)]
    pub verified: bool,
    /// Deactivated by an administrator: cannot sign in, gets no e-mail.
    pub deactivated: bool,
}

/// A user with their stored password hash (PHC string), for sign-in only.
pub struct UserCredentials {
    pub account: Account,
    pub password_hash: String,
}

/// A new account's starting state.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewAccount {
    /// The address is already proven (an invitation link, or an administrator's command).
    pub verified: bool,
    pub is_admin: bool,
}

#[derive(Clone)]
pub struct UserStore {
    pool: MySqlPool,
}

impl UserStore {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// Register a user. A taken e-mail address is [`UserStoreError::EmailTaken`].
    pub async fn insert(
        &self,
        email: &EmailAddress,
        name: &DisplayName,
        password_hash: &str,
        new: NewAccount,
    ) -> Result<User, UserStoreError> {
        let user = User {
            id: UserId::new(),
            email: email.clone(),
            name: name.clone(),
            created_at: now_micros(),
            is_admin: new.is_admin,
        };
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, created_at, is_admin, email_verified_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(user.id.to_string())
        .bind(user.email.as_str())
        .bind(user.name.as_str())
        .bind(password_hash)
        .bind(user.created_at)
        .bind(new.is_admin)
        .bind(new.verified.then_some(user.created_at))
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(user),
            Err(e) if super::db::is_unique_violation(&e) => Err(UserStoreError::EmailTaken),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn credentials_by_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<UserCredentials>, UserStoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT password_hash FROM users WHERE email = ?")
                .bind(email.as_str())
                .fetch_optional(&self.pool)
                .await?;
        let Some((password_hash,)) = row else {
            return Ok(None);
        };
        Ok(self.by_email(email).await?.map(|account| UserCredentials {
            account,
            password_hash,
        }))
    }

    /// Replace a user's password hash (a new password, or a parameter upgrade).
    pub async fn set_password_hash(
        &self,
        id: UserId,
        password_hash: &str,
    ) -> Result<(), UserStoreError> {
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Mark the address proven (idempotent).
    pub async fn mark_verified(&self, id: UserId) -> Result<(), UserStoreError> {
        sqlx::query(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?",
        )
        .bind(now_micros())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn by_id(&self, id: UserId) -> Result<Option<Account>, UserStoreError> {
        self.one("id", &id.to_string()).await
    }

    pub async fn by_email(&self, email: &EmailAddress) -> Result<Option<Account>, UserStoreError> {
        self.one("email", email.as_str()).await
    }

    async fn one(&self, column: &str, value: &str) -> Result<Option<Account>, UserStoreError> {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {column} = ?"
        )))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?
        .map(Account::try_from)
        .transpose()
    }

    /// Everyone, by name: the administrators' people page.
    pub async fn all(&self) -> Result<Vec<Account>, UserStoreError> {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY name, id"
        )))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Account::try_from)
        .collect()
    }

    /// The people who share at least one project with `user`, by name.
    pub async fn teammates_of(&self, user: UserId) -> Result<Vec<Account>, UserStoreError> {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id IN (SELECT o.user_id FROM project_members m \
             JOIN project_members o ON o.project_id = m.project_id WHERE m.user_id = ?) \
             ORDER BY name, id"
        )))
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Account::try_from)
        .collect()
    }

    /// Which of `ids` are deactivated accounts.
    pub async fn deactivated_among(
        &self,
        ids: &[UserId],
    ) -> Result<std::collections::HashSet<UserId>, UserStoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let mut q = sqlx::QueryBuilder::<sqlx::MySql>::new(
            "SELECT id FROM users WHERE deactivated_at IS NOT NULL AND id IN (",
        );
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.to_string());
        }
        q.push(")");
        let rows: Vec<(String,)> = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .filter_map(|(id,)| UserId::parse(id).ok())
            .collect())
    }

    /// Name or unname an administrator.
    pub async fn set_admin(&self, id: UserId, is_admin: bool) -> Result<(), UserStoreError> {
        sqlx::query("UPDATE users SET is_admin = ? WHERE id = ?")
            .bind(is_admin)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Is any active account an administrator? (A fresh deployment has none until the first
    /// invitation; a deployment whose administrators are all deactivated has none either.)
    pub async fn any_admin(&self) -> Result<bool, UserStoreError> {
        let found: Option<(i32,)> =
            sqlx::query_as("SELECT 1 FROM users WHERE is_admin AND deactivated_at IS NULL LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }
}
