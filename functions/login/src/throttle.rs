//! Failed sign-in throttling (DESIGN decision 3): a counter item per account and per client
//! address in DynamoDB, each counting failures in a fixed window that starts at the first failure.
//!
//! The account key is the e-mail address as submitted, whether or not such an account exists, so
//! a throttled answer says nothing about which addresses are registered. IPv6 clients are counted
//! per /64, the block one subscriber usually holds.

use std::net::IpAddr;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use taskboard_core::aws::LazyClient;
use taskboard_core::domain::EmailAddress;
use taskboard_core::http::ClientAddr;
use taskboard_core::time::EpochSecs;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub max_failures_per_account: u32,
    pub max_failures_per_client: u32,
    pub window_secs: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("login throttle store: {0}")]
pub struct ThrottleError(#[source] Box<aws_sdk_dynamodb::Error>);

fn store_err<E, R>(err: SdkError<E, R>) -> ThrottleError
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    ThrottleError(Box::new(err.into()))
}

#[derive(Clone)]
pub struct LoginThrottle {
    client: LazyClient<Client>,
    table: String,
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

fn number(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    }
}

impl LoginThrottle {
    pub fn new(
        client: impl Into<LazyClient<Client>>,
        table: impl Into<String>,
        policy: ThrottlePolicy,
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

    /// `Some(seconds)` to wait when the account or the client has too many recent failures.
    pub async fn retry_after(
        &self,
        email: &EmailAddress,
        client: &ClientAddr,
    ) -> Result<Option<u64>, ThrottleError> {
        let (account, address) = (account_key(email), client_key(client));
        let keys = KeysAndAttributes::builder()
            .keys(
                [(
                    "throttle_key".to_owned(),
                    AttributeValue::S(account.clone()),
                )]
                .into(),
            )
            .keys(
                [(
                    "throttle_key".to_owned(),
                    AttributeValue::S(address.clone()),
                )]
                .into(),
            )
            .consistent_read(true)
            .build()
            .map_err(|e| ThrottleError(Box::new(e.into())))?;
        let out = self
            .client()
            .await
            .batch_get_item()
            .request_items(&self.table, keys)
            .send()
            .await
            .map_err(store_err)?;
        let now = EpochSecs::now();
        let mut wait: Option<u64> = None;
        for item in out
            .responses()
            .and_then(|r| r.get(&self.table))
            .into_iter()
            .flatten()
        {
            let key = match item.get("throttle_key") {
                Some(AttributeValue::S(k)) => k.as_str(),
                _ => continue,
            };
            let limit = if key == account {
                self.policy.max_failures_per_account
            } else {
                self.policy.max_failures_per_client
            };
            let expires = EpochSecs(number(item, "expires_at"));
            if now < expires && number(item, "failures") >= i64::from(limit) {
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
        self.client()
            .await
            .delete_item()
            .table_name(&self.table)
            .key("throttle_key", AttributeValue::S(account_key(email)))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    async fn increment(&self, key: &str) -> Result<(), ThrottleError> {
        // Two rounds: a concurrent writer can start a fresh window between our two calls.
        for _ in 0..2 {
            let now = EpochSecs::now();
            let counted = self
                .client()
                .await
                .update_item()
                .table_name(&self.table)
                .key("throttle_key", AttributeValue::S(key.to_owned()))
                .update_expression("ADD failures :one")
                .condition_expression("expires_at > :now")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(":now", AttributeValue::N(now.0.to_string()))
                .send()
                .await;
            match counted {
                Ok(_) => return Ok(()),
                Err(SdkError::ServiceError(e))
                    if e.err().is_conditional_check_failed_exception() => {}
                Err(e) => return Err(store_err(e)),
            }
            // No live window: start one.
            let expires = now.plus_secs(self.policy.window_secs);
            let started = self
                .client()
                .await
                .put_item()
                .table_name(&self.table)
                .item("throttle_key", AttributeValue::S(key.to_owned()))
                .item("failures", AttributeValue::N("1".into()))
                .item("expires_at", AttributeValue::N(expires.0.to_string()))
                .condition_expression("attribute_not_exists(throttle_key) OR expires_at <= :now")
                .expression_attribute_values(":now", AttributeValue::N(now.0.to_string()))
                .send()
                .await;
            match started {
                Ok(_) => return Ok(()),
                Err(SdkError::ServiceError(e))
                    if e.err().is_conditional_check_failed_exception() => {}
                Err(e) => return Err(store_err(e)),
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
