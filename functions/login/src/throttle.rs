//! Sign-in throttling (`docs/decisions.md#3-passwords-and-sign-in-throttling`): a counter item
//! per account and per client address in DynamoDB, each counting attempts in a fixed window that
//! starts at the first one.
//!
//! Every attempt is counted atomically *before* its password is checked, and refused once the
//! count passes the limit, so parallel guesses cannot all slip past a check-then-count. A
//! successful sign-in clears the account's counter and gives the client back its attempt, so the
//! client's counter holds failures only.
//!
//! The account key is the address's canonical form ([`EmailAddress`]: NFKC, lower-case), the
//! same form the users table compares byte for byte, whether or not such an account exists: every
//! spelling of one address shares one budget, and a throttled answer says nothing about which
//! addresses are registered. IPv6 clients are counted per /64, the block one subscriber holds.

use std::net::IpAddr;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::ReturnValue;
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
pub enum ThrottleError {
    #[error("login throttle store: {0}")]
    Store(#[from] DynamoError),
    #[error("login throttle store: the counter {0} kept changing under concurrent writers")]
    Contended(String),
}

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

    /// Count this attempt against the account and the client. `Some(seconds)` to wait when
    /// either is over its limit: then the password must not be checked at all.
    pub async fn admit(
        &self,
        email: &EmailAddress,
        client: &ClientAddr,
    ) -> Result<Option<u64>, ThrottleError> {
        let (account, address) = (account_key(email), client_key(client));
        let (by_account, by_client) = tokio::join!(self.count(&account), self.count(&address));
        let now = EpochSecs::now();
        let mut wait: Option<u64> = None;
        for ((attempts, expires), limit) in [
            (by_account?, self.policy.max_failures_per_account),
            (by_client?, self.policy.max_failures_per_client),
        ] {
            if attempts > i64::from(limit) {
                let secs = now.secs_until(expires).max(1);
                wait = Some(wait.map_or(secs, |w| w.max(secs)));
            }
        }
        Ok(wait)
    }

    /// A successful sign-in clears the account's counter and takes its own attempt off the
    /// client's (which keeps counting that client's failures).
    pub async fn succeeded(
        &self,
        email: &EmailAddress,
        client: &ClientAddr,
    ) -> Result<(), ThrottleError> {
        let address = client_key(client);
        let cleared = self
            .table
            .delete(dynamo::key("throttle_key", dynamo::s(account_key(email))));
        let (cleared, returned) = tokio::join!(cleared, self.give_back(&address));
        cleared?;
        returned
    }

    /// Lift the account's lock-out (a password reset proves the mailbox owner is back in
    /// control). The clients' counters stay.
    pub async fn clear_account(&self, email: &EmailAddress) -> Result<(), ThrottleError> {
        self.table
            .delete(dynamo::key("throttle_key", dynamo::s(account_key(email))))
            .await?;
        Ok(())
    }

    /// Add one attempt to `key`'s live window, or start a window. Returns the attempts counted in
    /// the window, this one included, and when the window ends.
    async fn count(&self, key: &str) -> Result<(i64, EpochSecs), ThrottleError> {
        let client = self.table.client().await;
        // A concurrent writer can start a fresh window between our two calls: try again.
        for _ in 0..3 {
            let now = EpochSecs::now();
            let counted = client
                .update_item()
                .table_name(self.table.name())
                .key("throttle_key", dynamo::s(key))
                .update_expression("ADD failures :one")
                .condition_expression("expires_at > :now")
                .expression_attribute_values(":one", dynamo::n(1))
                .expression_attribute_values(":now", dynamo::n(now.0))
                .return_values(ReturnValue::AllNew)
                .send()
                .await;
            if let Some(out) = dynamo::conditional(counted)? {
                let item = out.attributes().ok_or(DynamoError::Malformed("failures"))?;
                let attempts = dynamo::number(item, "failures")?;
                let expires = EpochSecs(dynamo::number(item, "expires_at")?);
                return Ok((attempts, expires));
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
                return Ok((1, expires));
            }
        }
        Err(ThrottleError::Contended(key.to_owned()))
    }

    /// Take one attempt off `key`'s live window (none left, or no window: nothing to do).
    async fn give_back(&self, key: &str) -> Result<(), ThrottleError> {
        let returned = self
            .table
            .client()
            .await
            .update_item()
            .table_name(self.table.name())
            .key("throttle_key", dynamo::s(key))
            .update_expression("ADD failures :minus")
            .condition_expression("expires_at > :now AND failures > :zero")
            .expression_attribute_values(":minus", dynamo::n(-1))
            .expression_attribute_values(":now", dynamo::n(EpochSecs::now().0))
            .expression_attribute_values(":zero", dynamo::n(0))
            .send()
            .await;
        dynamo::conditional(returned)?;
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
