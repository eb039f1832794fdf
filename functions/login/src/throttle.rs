//! Failed sign-in throttling (`docs/decisions.md#3-passwords-and-sign-in-throttling`): a counter item per account and per client
//! address in DynamoDB, each counting failures in a fixed window that starts at the first failure.
//!
//! The account key is the e-mail address as submitted, whether or not such an account exists, so
//! a throttled answer says nothing about which addresses are registered. IPv6 clients are counted
//! per /64, the block one subscriber usually holds.

use std::net::IpAddr;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use taskboard_core::aws::LazyClient;
use taskboard_core::dynamo::{self, DynamoError, Table};
use taskboard_domain::EmailAddress;
use taskboard_domain::time::EpochSecs;
use taskboard_http::ClientAddr;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub max_failures_per_account: u32,
    pub max_failures_per_client: u32,
    pub window_secs: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("login throttle store: {0}")]
pub struct ThrottleError(#[from] DynamoError);

#[derive(Clone)]
pub struct LoginThrottle {
    table: Table,
    policy: ThrottlePolicy,
}

fn account_key(email: &EmailAddress) -> String {
    format!("account#{email}")
}

fn client_key(client: &ClientAddr) -> String {
    match client.0.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("client#{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => format!("client#{}", client.0),
    }
}

impl LoginThrottle {
    pub fn new(
        client: impl Into<LazyClient<Client>>,
        table: impl Into<String>,
        policy: ThrottlePolicy,
    ) -> Self {
        Self {
            table: Table::new(client, table),
            policy,
        }
    }

    /// `Some(seconds)` to wait when the account or the client has too many recent failures.
    pub async fn retry_after(
        &self,
        email: &EmailAddress,
        client: &ClientAddr,
    ) -> Result<Option<u64>, ThrottleError> {
        let (account, address) = (account_key(email), client_key(client));
        let keys = KeysAndAttributes::builder()
            .keys(dynamo::key("throttle_key", dynamo::s(&account)))
            .keys(dynamo::key("throttle_key", dynamo::s(&address)))
            .consistent_read(true)
            .build()
            .map_err(DynamoError::from)?;
        let out = self
            .table
            .client()
            .await
            .batch_get_item()
            .request_items(self.table.name(), keys)
            .send()
            .await
            .map_err(DynamoError::from)?;
        let now = EpochSecs::now();
        let mut wait: Option<u64> = None;
        for item in out
            .responses()
            .and_then(|r| r.get(self.table.name()))
            .into_iter()
            .flatten()
        {
            let key = dynamo::string(item, "throttle_key")?;
            let limit = if key == account {
                self.policy.max_failures_per_account
            } else {
                self.policy.max_failures_per_client
            };
            let expires = EpochSecs(dynamo::number(item, "expires_at")?);
            if now < expires && dynamo::number(item, "failures")? >= i64::from(limit) {
                let secs = now.secs_until(expires);
                wait = Some(wait.map_or(secs, |w| w.max(secs)));
            }
        }
        Ok(wait)
    }

    /// Count a failed attempt against the account and the client.
    pub async fn record_failure(
        &self,
        email: &EmailAddress,
        client: &ClientAddr,
    ) -> Result<(), ThrottleError> {
        let (account, address) = (account_key(email), client_key(client));
        let (a, b) = tokio::join!(self.increment(&account), self.increment(&address));
        a.and(b)
    }

    /// A successful sign-in clears the account's counter (not the client's).
    pub async fn clear_account(&self, email: &EmailAddress) -> Result<(), ThrottleError> {
        self.table
            .delete(dynamo::key("throttle_key", dynamo::s(account_key(email))))
            .await?;
        Ok(())
    }

    async fn increment(&self, key: &str) -> Result<(), ThrottleError> {
        // Two rounds: a concurrent writer can start a fresh window between our two calls.
        for _ in 0..2 {
            let now = EpochSecs::now();
            let client = self.table.client().await;
            let counted = client
                .update_item()
                .table_name(self.table.name())
                .key("throttle_key", dynamo::s(key))
                .update_expression("ADD failures :one")
                .condition_expression("expires_at > :now")
                .expression_attribute_values(":one", dynamo::n(1))
                .expression_attribute_values(":now", dynamo::n(now.0))
                .send()
                .await;
            if dynamo::conditional(counted)?.is_some() {
                return Ok(());
            }
            // No live window: start one.
            let expires = now.plus_secs(self.policy.window_secs);
            let started = client
                .put_item()
                .table_name(self.table.name())
                .item("throttle_key", dynamo::s(key))
                .item("failures", dynamo::n(1))
                .item("expires_at", dynamo::n(expires.0))
                .condition_expression("attribute_not_exists(throttle_key) OR expires_at <= :now")
                .expression_attribute_values(":now", dynamo::n(now.0))
                .send()
                .await;
            if dynamo::conditional(started)?.is_some() {
                return Ok(());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_slash_64() {
        let a = client_key(&ClientAddr("2001:db8:1:2:aaaa::1".into()));
        let b = client_key(&ClientAddr("2001:db8:1:2:bbbb::9".into()));
        assert_eq!(a, b);
        assert_eq!(a, "client#2001:db8:1:2::/64");
        assert_eq!(
            client_key(&ClientAddr("203.0.113.9".into())),
            "client#203.0.113.9"
        );
    }
}
