//! Users in MySQL. Only this adapter ever sees a password hash, and only login asks for it.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

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

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = UserStoreError;
    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let corrupt = |reason: String| UserStoreError::Corrupt {
            id: row.id.clone(),
            reason,
        };
        Ok(User {
            id: UserId::parse(&row.id).map_err(|e| corrupt(e.to_string()))?,
            email: EmailAddress::parse(&row.email).map_err(|e| corrupt(e.to_string()))?,
            name: DisplayName::parse(&row.name).map_err(|e| corrupt(e.to_string()))?,
            created_at: row.created_at,
        })
    }
}

/// A user with their stored password hash (PHC string), for sign-in only.
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
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
    ) -> Result<User, UserStoreError> {
        let user = User {
            id: UserId::new(),
            email: email.clone(),
            name: name.clone(),
            // MySQL DATETIME(6) keeps microseconds; store what we return.
            created_at: DateTime::from_timestamp_micros(Utc::now().timestamp_micros())
                .unwrap_or_else(Utc::now),
        };
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(user.id.to_string())
        .bind(user.email.as_str())
        .bind(user.name.as_str())
        .bind(password_hash)
        .bind(user.created_at)
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
        let row: Option<(String, String, String, DateTime<Utc>, String)> = sqlx::query_as(
            "SELECT id, email, name, created_at, password_hash FROM users WHERE email = ?",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, email, name, created_at, password_hash)| {
            Ok(UserCredentials {
                user: UserRow {
                    id,
                    email,
                    name,
                    created_at,
                }
                .try_into()?,
                password_hash,
            })
        })
        .transpose()
    }

    /// Replace a user's password hash (after a parameter upgrade).
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

    pub async fn by_id(&self, id: UserId) -> Result<Option<User>, UserStoreError> {
        sqlx::query_as::<_, UserRow>("SELECT id, email, name, created_at FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(User::try_from)
            .transpose()
    }

    /// Everyone, by name: the people a task can be assigned to.
    pub async fn all(&self) -> Result<Vec<User>, UserStoreError> {
        sqlx::query_as::<_, UserRow>(
            "SELECT id, email, name, created_at FROM users ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
    }
}
