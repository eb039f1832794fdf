//! Sessions in DynamoDB (`docs/decisions.md#2-session-tokens`).
//!
//! The browser holds a 256-bit random token; the table holds only SHA-256(token) with the user id,
//! creation and last-seen times, idle and absolute expiry, and a TTL attribute. Expiry is checked
//! here on every read because DynamoDB deletes expired items lazily (and the emulator never does).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use taskboard_domain::UserId;
use taskboard_domain::time::EpochSecs;

use crate::aws::LazyClient;
use crate::dynamo::{self, DynamoError, Item, Table};
use crate::tokens::{RandomError, SecretToken};

/// Last-seen is written at most this often per session, so reads stay reads.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// A session token as the cookie carries it ([`SecretToken`]).
pub type SessionToken = SecretToken;

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
    fn from_item(item: &Item) -> Result<Self, DynamoError> {
        Ok(Self {
            user_id: UserId::parse(&dynamo::string(item, "user_id")?)
                .map_err(|_| DynamoError::Malformed("user_id"))?,
            created_at: EpochSecs(dynamo::number(item, "created_at")?),
            last_seen_at: EpochSecs(dynamo::number(item, "last_seen_at")?),
            idle_expires_at: EpochSecs(dynamo::number(item, "idle_expires_at")?),
            absolute_expires_at: EpochSecs(dynamo::number(item, "absolute_expires_at")?),
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
    Store(#[from] DynamoError),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error("a new session's id is taken")]
    Collision,
    #[error("session store: {unprocessed} of {total} sessions could not be deleted")]
    Unprocessed { unprocessed: usize, total: usize },
}

/// The session table adapter.
#[derive(Clone)]
pub struct SessionStore {
    table: Table,
    policy: SessionPolicy,
}

impl SessionStore {
    pub fn new(
        client: impl Into<LazyClient<Client>>,
        table: impl Into<String>,
        policy: SessionPolicy,
    ) -> Self {
        Self {
            table: Table::new(client, table),
            policy,
        }
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
        let item = Item::from([
            ("session_id".to_owned(), dynamo::s(token.storage_id())),
            ("user_id".to_owned(), dynamo::s(user_id.to_string())),
            ("created_at".to_owned(), dynamo::n(now.0)),
            ("last_seen_at".to_owned(), dynamo::n(now.0)),
            ("idle_expires_at".to_owned(), dynamo::n(idle.0)),
            ("absolute_expires_at".to_owned(), dynamo::n(absolute.0)),
            ("expires_at".to_owned(), dynamo::n(idle.0)),
        ]);
        // 256 random bits never collide in practice; a collision would fail here, not share.
        if !self.table.put_new(item, "session_id").await? {
            return Err(SessionError::Collision);
        }
        Ok((token, session))
    }

    /// The live session for `token`, if any. Extends the idle expiry (at most once a minute).
    pub async fn authenticate(
        &self,
        token: &SessionToken,
    ) -> Result<Option<Session>, SessionError> {
        let id = token.storage_id();
        let Some(stored) = self
            .table
            .get(dynamo::key("session_id", dynamo::s(&id)))
            .await?
        else {
            return Ok(None);
        };
        let mut session = Session::from_item(&stored)?;
        let now = EpochSecs::now();
        if !session.is_live_at(now) {
            return Ok(None);
        }
        if now.0 - session.last_seen_at.0 >= TOUCH_INTERVAL_SECS {
            let idle = now
                .plus_secs(self.policy.idle_timeout_secs)
                .min(session.absolute_expires_at);
            let touched = self
                .table
                .client()
                .await
                .update_item()
                .table_name(self.table.name())
                .key("session_id", dynamo::s(&id))
                .update_expression(
                    "SET last_seen_at = :now, idle_expires_at = :idle, expires_at = :idle",
                )
                .condition_expression("attribute_exists(session_id)")
                .expression_attribute_values(":now", dynamo::n(now.0))
                .expression_attribute_values(":idle", dynamo::n(idle.0))
                .send()
                .await;
            // No longer there: signed out between our read and write, so the session is gone.
            if dynamo::conditional(touched)?.is_none() {
                return Ok(None);
            }
            session.last_seen_at = now;
            session.idle_expires_at = idle;
        }
        Ok(Some(session))
    }

    /// End the session for `token`. Ending an unknown session is not an error.
    pub async fn revoke(&self, token: &SessionToken) -> Result<(), SessionError> {
        self.table
            .delete(dynamo::key("session_id", dynamo::s(token.storage_id())))
            .await?;
        Ok(())
    }

    /// End every session of `user_id` ("sign out everywhere"). Returns how many ended.
    pub async fn revoke_all(&self, user_id: UserId) -> Result<usize, SessionError> {
        self.revoke_all_but(user_id, None).await
    }

    /// End every session of `user_id` except `keep` (after a password change, the session that
    /// changed it stays). Returns how many ended.
    pub async fn revoke_others(
        &self,
        user_id: UserId,
        keep: &SessionToken,
    ) -> Result<usize, SessionError> {
        self.revoke_all_but(user_id, Some(keep.storage_id())).await
    }

    /// End the sessions of `user_id`, except `keep`. The `user_id` index is eventually
    /// consistent: a session made a moment ago may not be in it yet. So after deleting what it
    /// found, it looks again, a quarter of a second later, until a look finds nothing new (at
    /// most [`SWEEPS`] looks). Deletes DynamoDB hands back unprocessed are retried with backoff;
    /// any still left fail the call (sign-out everywhere answers an error, never a false
    /// success).
    async fn revoke_all_but(
        &self,
        user_id: UserId,
        keep: Option<String>,
    ) -> Result<usize, SessionError> {
        let mut ended: std::collections::HashSet<String> = Default::default();
        for sweep in 0..SWEEPS {
            if sweep > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            let found: Vec<String> = self
                .sessions_of(user_id)
                .await?
                .into_iter()
                .filter(|id| keep.as_ref() != Some(id) && !ended.contains(id))
                .collect();
            // The first look may miss a session the index has not caught up with: always look
            // a second time; after that, stop at a look that finds nothing new.
            if found.is_empty() && sweep > 0 {
                break;
            }
            self.delete_all(&found).await?;
            ended.extend(found);
        }
        Ok(ended.len())
    }

    /// The session ids the `user_id` index holds now.
    async fn sessions_of(&self, user_id: UserId) -> Result<Vec<String>, SessionError> {
        let client = self.table.client().await;
        let mut ids = Vec::new();
        let mut start_key = None;
        loop {
            let page = client
                .query()
                .table_name(self.table.name())
                .index_name(crate::tables::SESSIONS.indexes[0].name)
                .key_condition_expression("user_id = :u")
                .expression_attribute_values(":u", dynamo::s(user_id.to_string()))
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(DynamoError::from)?;
            for found in page.items() {
                ids.push(dynamo::string(found, "session_id")?);
            }
            start_key = page.last_evaluated_key().cloned();
            if start_key.is_none() {
                return Ok(ids);
            }
        }
    }

    /// Delete `ids`, 25 at a time, retrying what DynamoDB hands back unprocessed.
    async fn delete_all(&self, ids: &[String]) -> Result<(), SessionError> {
        let client = self.table.client().await;
        for chunk in ids.chunks(25) {
            let mut pending = chunk
                .iter()
                .map(|id| {
                    let delete = DeleteRequest::builder()
                        .set_key(Some(dynamo::key("session_id", dynamo::s(id))))
                        .build()?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, DynamoError>>()?;
            // Unprocessed writes come back when the table is throttled: back off 50, 100, 200,
            // 400 ms before each retry.
            for attempt in 0..5u32 {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
                }
                let out = client
                    .batch_write_item()
                    .request_items(self.table.name(), pending)
                    .send()
                    .await
                    .map_err(DynamoError::from)?;
                pending = out
                    .unprocessed_items()
                    .and_then(|m| m.get(self.table.name()))
                    .cloned()
                    .unwrap_or_default();
            }
            if !pending.is_empty() {
                return Err(SessionError::Unprocessed {
                    unprocessed: pending.len(),
                    total: ids.len(),
                });
            }
        }
        Ok(())
    }
}

/// Looks at the `user_id` index per sign-out-everywhere (see `revoke_all_but`).
const SWEEPS: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

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
