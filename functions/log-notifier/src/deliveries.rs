//! Delivery records in DynamoDB, one per `event_id#recipient`: the notifier claims a delivery
//! with a conditional put before sending, so a repeated or concurrent delivery of the same event
//! sends each e-mail once.
//!
//! States: `sending` (claimed), `sent`, `failed` (permanent; never retried), `capped` (the
//! recipient was past their hourly cap: covered by the summary e-mail whose record it names). A claim whose sender
//! died is taken over after [`STALE_CLAIM_SECS`]; a sender that fails temporarily releases its
//! claim so the retried invocation can send.

use aws_sdk_dynamodb::Client;
use taskboard_core::aws::LazyClient;
use taskboard_core::dynamo::{self, DynamoError, Table};
use taskboard_domain::time::EpochSecs;

/// A claim older than this is presumed abandoned (the Lambda timeout is far shorter).
pub const STALE_CLAIM_SECS: u64 = 300;
/// Records are kept this long, well past EventBridge's 24-hour retry window.
pub const KEEP_SECS: u64 = 30 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
#[error("delivery records: {0}")]
pub struct DeliveryError(#[from] DynamoError);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This invocation owns the delivery and must send.
    Won,
    /// Already sent, permanently failed, or being sent right now by someone else.
    Taken,
}

#[derive(Clone)]
pub struct Deliveries {
    table: Table,
}

pub fn delivery_id(event_id: &str, recipient: &str) -> String {
    format!("{event_id}#{recipient}")
}

fn key(id: &str) -> dynamo::Item {
    dynamo::key("delivery_id", dynamo::s(id))
}

impl Deliveries {
    pub fn new(client: impl Into<LazyClient<Client>>, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    pub async fn claim(&self, id: &str) -> Result<Claim, DeliveryError> {
        let now = EpochSecs::now();
        let stale_before = EpochSecs(now.0 - STALE_CLAIM_SECS as i64);
        let put = self
            .table
            .client()
            .await
            .put_item()
            .table_name(self.table.name())
            .item("delivery_id", dynamo::s(id))
            .item("state", dynamo::s("sending"))
            .item("claimed_at", dynamo::n(now.0))
            .item("expires_at", dynamo::n(now.plus_secs(KEEP_SECS).0))
            .condition_expression(
                "attribute_not_exists(delivery_id) OR (#s = :sending AND claimed_at < :stale)",
            )
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":sending", dynamo::s("sending"))
            .expression_attribute_values(":stale", dynamo::n(stale_before.0))
            .send()
            .await;
        Ok(match dynamo::conditional(put)? {
            Some(_) => Claim::Won,
            None => Claim::Taken,
        })
    }

    pub async fn mark_sent(&self, id: &str, message_id: &str) -> Result<(), DeliveryError> {
        self.finish(id, "sent", "message_id", message_id).await
    }

    pub async fn mark_failed(&self, id: &str, reason: &str) -> Result<(), DeliveryError> {
        self.finish(id, "failed", "reason", reason).await
    }

    /// The recipient was past their cap: this change is covered by the summary `summary_id`.
    pub async fn mark_capped(&self, id: &str, summary_id: &str) -> Result<(), DeliveryError> {
        self.finish(id, "capped", "summary", summary_id).await
    }

    async fn finish(
        &self,
        id: &str,
        state: &str,
        attribute: &str,
        value: &str,
    ) -> Result<(), DeliveryError> {
        self.table
            .client()
            .await
            .update_item()
            .table_name(self.table.name())
            .set_key(Some(key(id)))
            .update_expression("SET #s = :state, #a = :value, finished_at = :now")
            .expression_attribute_names("#s", "state")
            .expression_attribute_names("#a", attribute)
            .expression_attribute_values(":state", dynamo::s(state))
            .expression_attribute_values(":value", dynamo::s(value))
            .expression_attribute_values(":now", dynamo::n(EpochSecs::now().0))
            .send()
            .await
            .map_err(DynamoError::from)?;
        Ok(())
    }

    /// Give a claim back after a temporary failure, so the retry can send.
    pub async fn release(&self, id: &str) -> Result<(), DeliveryError> {
        self.table
            .client()
            .await
            .delete_item()
            .table_name(self.table.name())
            .set_key(Some(key(id)))
            .condition_expression("#s = :sending")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":sending", dynamo::s("sending"))
            .send()
            .await
            .map_err(DynamoError::from)?;
        Ok(())
    }

    /// The state of a delivery (`sending`, `sent`, `failed`), if recorded.
    pub async fn state(&self, id: &str) -> Result<Option<String>, DeliveryError> {
        let item = self.table.get(key(id)).await?;
        Ok(item
            .map(|item| dynamo::string(&item, "state"))
            .transpose()?)
    }
}
