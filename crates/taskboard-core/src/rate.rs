//! Abuse caps: fixed-window counters in DynamoDB (`rate_limits`, TTL), one atomic `ADD` per
//! counted action, so parallel requests cannot outrun a cap. What is counted and the caps are the
//! callers' (task writes per account, invitations per project, account e-mails per address, task
//! e-mails per recipient; README "Configuration"). Subjects are stored only as SHA-256, so the
//! table holds no addresses.

use aws_sdk_dynamodb::types::ReturnValue;
use sha2::{Digest, Sha256};
use taskboard_domain::time::EpochSecs;

use crate::aws::LazyClient;
use crate::dynamo::{self, DynamoError, Table};

/// At most `max` actions per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window_secs: u64,
}

impl RateLimit {
    pub const fn per_minute(max: u32) -> Self {
        Self {
            max,
            window_secs: 60,
        }
    }

    pub const fn per_hour(max: u32) -> Self {
        Self {
            max,
            window_secs: 3600,
        }
    }
}

/// The outcome of counting one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Within the cap; this was action number `count` of the window.
    Allowed { count: u32 },
    /// Over the cap: this was action number `count`; the window (which began at `window_start`,
    /// epoch seconds) ends in `retry_after_secs`.
    Limited {
        count: u32,
        window_start: i64,
        retry_after_secs: u64,
    },
}

#[derive(Clone)]
pub struct RateLimiter {
    table: Table,
}

impl RateLimiter {
    pub fn new(client: impl Into<LazyClient<aws_sdk_dynamodb::Client>>, table: String) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    /// Count one action of `scope` by `subject` (an account id, a project id, an address).
    pub async fn hit(
        &self,
        scope: &'static str,
        subject: &str,
        limit: RateLimit,
    ) -> Result<Admission, DynamoError> {
        let now = EpochSecs::now().0;
        let window = i64::try_from(limit.window_secs.max(1)).unwrap_or(i64::MAX);
        let start = now - now.rem_euclid(window);
        let end = start.saturating_add(window);
        let key = format!(
            "{scope}#{start}#{}",
            hex::encode(Sha256::digest(subject.as_bytes()))
        );
        let out = self
            .table
            .client()
            .await
            .update_item()
            .table_name(self.table.name())
            .key("limit_key", dynamo::s(key))
            .update_expression("ADD hits :one SET expires_at = :end")
            .expression_attribute_values(":one", dynamo::n(1))
            .expression_attribute_values(":end", dynamo::n(end))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(DynamoError::from)?;
        let attributes = out.attributes().cloned().unwrap_or_default();
        let count = u32::try_from(dynamo::number(&attributes, "hits")?).unwrap_or(u32::MAX);
        Ok(if count > limit.max {
            Admission::Limited {
                count,
                window_start: start,
                retry_after_secs: u64::try_from(end - now).unwrap_or(1).max(1),
            }
        } else {
            Admission::Allowed { count }
        })
    }
}
