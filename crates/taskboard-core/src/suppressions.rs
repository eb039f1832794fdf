//! Addresses Taskboard stops e-mailing about tasks: written by the notifier when SES reports a
//! permanent bounce or a complaint, read by the notifier before each task e-mail and by the site
//! (`GET /api/auth/me`, so the person sees why their mail stopped), lifted when the owner proves
//! the address again through a confirmation link (`docs/decisions.md#13-bounces-and-complaints`).
//!
//! They live in the notifications table beside the delivery records, under the key
//! `suppressed#<address>` (addresses are canonical, see [`EmailAddress`]), with no expiry.

use aws_sdk_dynamodb::Client;
use taskboard_domain::EmailAddress;
use taskboard_domain::time::EpochSecs;

use crate::aws::LazyClient;
use crate::dynamo::{self, DynamoError, Item, Table};

/// Why an address is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionReason {
    /// The receiving server refused it permanently (SES `bounceType: Permanent`).
    Bounce,
    /// The person marked a Taskboard e-mail as spam.
    Complaint,
}

impl SuppressionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::Bounce => "bounce",
            SuppressionReason::Complaint => "complaint",
        }
    }

    fn parse(raw: &str) -> Result<Self, DynamoError> {
        match raw {
            "bounce" => Ok(SuppressionReason::Bounce),
            "complaint" => Ok(SuppressionReason::Complaint),
            _ => Err(DynamoError::Malformed("reason")),
        }
    }
}

/// One suppressed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub reason: SuppressionReason,
    /// When SES reported it (seconds since the epoch).
    pub since: i64,
}

#[derive(Clone)]
pub struct Suppressions {
    table: Table,
}

fn key(address: &EmailAddress) -> Item {
    dynamo::key(
        "delivery_id",
        dynamo::s(format!("suppressed#{}", address.as_str())),
    )
}

impl Suppressions {
    /// `table`: the notifications table (`NOTIFICATIONS_TABLE`).
    pub fn new(client: impl Into<LazyClient<Client>>, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    /// Whether, and why, `address` is suppressed.
    pub async fn get(&self, address: &EmailAddress) -> Result<Option<Suppression>, DynamoError> {
        let Some(item) = self.table.get(key(address)).await? else {
            return Ok(None);
        };
        Ok(Some(Suppression {
            reason: SuppressionReason::parse(&dynamo::string(&item, "reason")?)?,
            since: dynamo::number(&item, "since")?,
        }))
    }

    /// Stop task e-mail to `address`. A complaint is not overwritten by a later bounce: it is
    /// the stronger signal, and the one the person is shown.
    pub async fn suppress(
        &self,
        address: &EmailAddress,
        reason: SuppressionReason,
        at: EpochSecs,
    ) -> Result<(), DynamoError> {
        let mut update = self
            .table
            .client()
            .await
            .update_item()
            .table_name(self.table.name())
            .set_key(Some(key(address)))
            .update_expression("SET reason = :reason, since = :since")
            .expression_attribute_values(":reason", dynamo::s(reason.as_str()))
            .expression_attribute_values(":since", dynamo::n(at.0));
        if reason == SuppressionReason::Bounce {
            update = update
                .condition_expression("attribute_not_exists(reason) OR reason <> :complaint")
                .expression_attribute_values(
                    ":complaint",
                    dynamo::s(SuppressionReason::Complaint.as_str()),
                );
        }
        dynamo::conditional(update.send().await)?;
        Ok(())
    }

    /// The owner proved the address again: e-mail it again.
    pub async fn lift(&self, address: &EmailAddress) -> Result<(), DynamoError> {
        self.table.delete(key(address)).await
    }
}
