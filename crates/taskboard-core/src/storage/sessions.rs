//! Sessions in DynamoDB (DESIGN decision 2).
//!
//! The browser holds a 256-bit random token; the table holds only SHA-256(token) with the user id,
//! creation and last-seen times, idle and absolute expiry, and a TTL attribute. Expiry is checked
//! here on every read because DynamoDB deletes expired items lazily (and the emulator never does).

use std::fmt;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::item::{self, Item, MalformedItem};
use crate::aws::LazyClient;
use crate::domain::UserId;
use crate::time::EpochSecs;

/// Last-seen is written at most this often per session, so reads stay reads.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// A session token as the cookie carries it: 32 random bytes, base64url without padding.
/// Never printed: `Debug` shows `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

impl SessionToken {
    const BYTES: usize = 32;
    const ENCODED_LEN: usize = 43;

    pub fn generate() -> Result<Self, SessionError> {
        let mut bytes = [0u8; Self::BYTES];
        getrandom::fill(&mut bytes).map_err(|e| SessionError::Random(e.to_string()))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Accept a cookie value only if it has the exact shape of a token we issue.
    pub fn from_cookie(raw: &str) -> Option<Self> {
        (raw.len() == Self::ENCODED_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| Self(raw.to_owned()))
    }

    /// The value to put in the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The storage key: hex SHA-256 of the token. A leaked table does not leak sessions.
    pub fn storage_id(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle_timeout_secs: u64,
    /// A session ends this long after sign-in, used or not.
    pub absolute_timeout_secs: u64,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub created_at: EpochSecs,
    pub last_seen_at: EpochSecs,
    pub idle_expires_at: EpochSecs,
    pub absolute_expires_at: EpochSecs,
}

impl Session {
    fn from_item(item: &Item) -> Result<Self, MalformedItem> {
        Ok(Self {
            user_id: UserId::parse(&item::string(item, "user_id")?)
                .map_err(|_| MalformedItem("user_id"))?,
            created_at: EpochSecs(item::number(item, "created_at")?),
            last_seen_at: EpochSecs(item::number(item, "last_seen_at")?),
            idle_expires_at: EpochSecs(item::number(item, "idle_expires_at")?),
            absolute_expires_at: EpochSecs(item::number(item, "absolute_expires_at")?),
        })
    }

    pub fn is_live_at(&self, now: EpochSecs) -> bool {
        now < self.idle_expires_at && now < self.absolute_expires_at
    }

    /// Seconds until the browser should drop the cookie (the absolute expiry).
    pub fn cookie_max_age(&self, now: EpochSecs) -> u64 {
        now.secs_until(self.absolute_expires_at)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("session store: {0}")]
    Store(#[source] Box<aws_sdk_dynamodb::Error>),
    #[error("session store: {0}")]
    Malformed(#[from] MalformedItem),
    #[error("no randomness available: {0}")]
    Random(String),
}

fn store_err<E, R>(err: SdkError<E, R>) -> SessionError
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    SessionError::Store(Box::new(err.into()))
}

/// The session table adapter.
#[derive(Clone)]
pub struct SessionStore {
    client: LazyClient<Client>,
    table: String,
    policy: SessionPolicy,
}

impl SessionStore {
    pub fn new(
        client: impl Into<LazyClient<Client>>,
        table: impl Into<String>,
        policy: SessionPolicy,
    ) -> Self {
        Self {
            client: client.into(),
            table: table.into(),
            policy,
        }
    }

    async fn client(&self) -> &Client {
        self.client.get().await
    }

    pub fn policy(&self) -> SessionPolicy {
        self.policy
    }

    /// Start a session for `user_id`. Returns the token for the cookie.
    pub async fn create(&self, user_id: UserId) -> Result<(SessionToken, Session), SessionError> {
        let now = EpochSecs::now();
        let absolute = now.plus_secs(self.policy.absolute_timeout_secs);
        let idle = now.plus_secs(self.policy.idle_timeout_secs).min(absolute);
        let session = Session {
            user_id,
            created_at: now,
            last_seen_at: now,
            idle_expires_at: idle,
            absolute_expires_at: absolute,
        };
        let token = SessionToken::generate()?;
        self.client()
            .await
            .put_item()
            .table_name(&self.table)
            .item("session_id", item::s(token.storage_id()))
            .item("user_id", item::s(user_id.to_string()))
            .item("created_at", item::n(now.0))
            .item("last_seen_at", item::n(now.0))
            .item("idle_expires_at", item::n(idle.0))
            .item("absolute_expires_at", item::n(absolute.0))
            .item("expires_at", item::n(idle.0))
            .condition_expression("attribute_not_exists(session_id)")
            .send()
            .await
            .map_err(store_err)?;
        Ok((token, session))
    }

    /// The live session for `token`, if any. Extends the idle expiry (at most once a minute).
    pub async fn authenticate(
        &self,
        token: &SessionToken,
    ) -> Result<Option<Session>, SessionError> {
        let id = token.storage_id();
        let found = self
            .client()
            .await
            .get_item()
            .table_name(&self.table)
            .key("session_id", item::s(&id))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_err)?;
        let Some(stored) = found.item() else {
            return Ok(None);
        };
        let mut session = Session::from_item(stored)?;
        let now = EpochSecs::now();
        if !session.is_live_at(now) {
            return Ok(None);
        }
        if now.0 - session.last_seen_at.0 >= TOUCH_INTERVAL_SECS {
            let idle = now
                .plus_secs(self.policy.idle_timeout_secs)
                .min(session.absolute_expires_at);
            let touched = self
                .client()
                .await
                .update_item()
                .table_name(&self.table)
                .key("session_id", item::s(&id))
                .update_expression(
                    "SET last_seen_at = :now, idle_expires_at = :idle, expires_at = :idle",
                )
                .condition_expression("attribute_exists(session_id)")
                .expression_attribute_values(":now", item::n(now.0))
                .expression_attribute_values(":idle", item::n(idle.0))
                .send()
                .await;
            match touched {
                Ok(_) => {
                    session.last_seen_at = now;
                    session.idle_expires_at = idle;
                }
                // Signed out between our read and write: the session is gone.
                Err(SdkError::ServiceError(e))
                    if e.err().is_conditional_check_failed_exception() =>
                {
                    return Ok(None);
                }
                Err(e) => return Err(store_err(e)),
            }
        }
        Ok(Some(session))
    }

    /// End the session for `token`. Ending an unknown session is not an error.
    pub async fn revoke(&self, token: &SessionToken) -> Result<(), SessionError> {
        self.client()
            .await
            .delete_item()
            .table_name(&self.table)
            .key("session_id", item::s(token.storage_id()))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// End every session of `user_id` ("sign out everywhere"). Returns how many ended.
    pub async fn revoke_all(&self, user_id: UserId) -> Result<usize, SessionError> {
        let mut ids = Vec::new();
        let mut start_key = None;
        loop {
            let page = self
                .client()
                .await
                .query()
                .table_name(&self.table)
                .index_name(super::tables::SESSIONS.indexes[0].name)
                .key_condition_expression("user_id = :u")
                .expression_attribute_values(":u", item::s(user_id.to_string()))
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(store_err)?;
            for found in page.items() {
                ids.push(item::string(found, "session_id")?);
            }
            start_key = page.last_evaluated_key().cloned();
            if start_key.is_none() {
                break;
            }
        }
        for chunk in ids.chunks(25) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|id| {
                    WriteRequest::builder()
                        .delete_request(
                            DeleteRequest::builder()
                                .key("session_id", item::s(id))
                                .build()
                                .expect("key is set"),
                        )
                        .build()
                })
                .collect();
            // BatchWriteItem may hand back unprocessed writes under load; retry them.
            for _ in 0..5 {
                if pending.is_empty() {
                    break;
                }
                let out = self
                    .client()
                    .await
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(store_err)?;
                pending = out
                    .unprocessed_items()
                    .and_then(|m| m.get(&self.table))
                    .cloned()
                    .unwrap_or_default();
            }
        }
        Ok(ids.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_hashed_for_storage() {
        let token = SessionToken::generate().unwrap();
        assert_eq!(token.expose().len(), 43);
        assert_eq!(token.storage_id().len(), 64);
        assert_ne!(token.storage_id(), token.expose());
        assert_eq!(
            SessionToken::from_cookie(token.expose()),
            Some(token.clone())
        );
        assert_eq!(format!("{token:?}"), "SessionToken([redacted])");
    }

    #[test]
    fn cookie_values_of_the_wrong_shape_are_ignored() {
        assert!(SessionToken::from_cookie("short").is_none());
        assert!(SessionToken::from_cookie(&"a".repeat(42)).is_none());
        assert!(SessionToken::from_cookie(&format!("{}=", "a".repeat(42))).is_none());
        assert!(SessionToken::from_cookie(&"a".repeat(43)).is_some());
    }

    #[test]
    fn liveness_needs_both_expiries_in_the_future() {
        let s = Session {
            user_id: UserId::new(),
            created_at: EpochSecs(0),
            last_seen_at: EpochSecs(0),
            idle_expires_at: EpochSecs(100),
            absolute_expires_at: EpochSecs(200),
        };
        assert!(s.is_live_at(EpochSecs(99)));
        assert!(!s.is_live_at(EpochSecs(100)));
        let s = Session {
            idle_expires_at: EpochSecs(300),
            ..s
        };
        assert!(!s.is_live_at(EpochSecs(200)));
    }
}
