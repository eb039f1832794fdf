//! Verification and password-reset links in MySQL (`docs/decisions.md#12-account-tokens`): only
//! SHA-256 of each token is stored; using one uses up every open link of its kind for that
//! account, so an older mail cannot be replayed.

use chrono::Duration;
use sqlx::MySqlPool;
use taskboard_domain::UserId;
use taskboard_domain::time::now_micros;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Prove the address of a self-registered account (valid 24 hours).
    Verify,
    /// Set a new password (valid 1 hour).
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
        }
    }

    pub fn ttl(self) -> Duration {
        match self {
            Purpose::Verify => Duration::hours(24),
            Purpose::Reset => Duration::hours(1),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error("account tokens: {0}")]
    Db(#[from] sqlx::Error),
    #[error("account tokens hold an invalid user id: {0}")]
    Corrupt(String),
}

#[derive(Clone)]
pub struct AccountTokens {
    pool: MySqlPool,
}

impl AccountTokens {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// Record a link for `user` whose token hashes to `token_hash`.
    pub async fn issue(
        &self,
        user: UserId,
        purpose: Purpose,
        token_hash: &str,
    ) -> Result<(), TokenStoreError> {
        let at = now_micros();
        sqlx::query(
            "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user.to_string())
        .bind(purpose.as_str())
        .bind(at)
        .bind(at + purpose.ttl())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Use the link whose token hashes to `token_hash`: the account it is for, once. Every other
    /// open link of the same kind for that account is used up with it.
    pub async fn consume(
        &self,
        purpose: Purpose,
        token_hash: &str,
    ) -> Result<Option<UserId>, TokenStoreError> {
        let at = now_micros();
        let mut tx = self.pool.begin().await?;
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT user_id FROM account_tokens WHERE token_hash = ? AND purpose = ? \
             AND used_at IS NULL AND expires_at > ? FOR UPDATE",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user,)) = found else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query(
            "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
        )
        .bind(at)
        .bind(&user)
        .bind(purpose.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        UserId::parse(&user)
            .map(Some)
            .map_err(|e| TokenStoreError::Corrupt(e.to_string()))
    }
}
