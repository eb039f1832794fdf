//! Delivery records in DynamoDB, one per `event_id#recipient`: the notifier claims a delivery
//! with a conditional put before sending, so a repeated or concurrent delivery of the same event
//! sends each e-mail once.
//!
//! States: `sending` (claimed), `sent`, `failed` (permanent; never retried). A claim whose sender
//! died is taken over after [`STALE_CLAIM_SECS`]; a sender that fails temporarily releases its
//! claim so the retried invocation can send.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;
use taskboard_core::aws::LazyClient;
use taskboard_core::time::EpochSecs;

/// A claim older than this is presumed abandoned (the Lambda timeout is far shorter).
pub const STALE_CLAIM_SECS: u64 = 300;
/// Records are kept this long, well past EventBridge's 24-hour retry window.
pub const KEEP_SECS: u64 = 30 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
#[error("delivery records: {0}")]
pub struct DeliveryError(#[source] Box<aws_sdk_dynamodb::Error>);

fn store_err<E, R>(err: SdkError<E, R>) -> DeliveryError
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    DeliveryError(Box::new(err.into()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This invocation owns the delivery and must send.
    Won,
    /// Already sent, permanently failed, or being sent right now by someone else.
    Taken,
}

#[derive(Clone)]
pub struct Deliveries {
    client: LazyClient<Client>,
    table: String,
}

pub fn delivery_id(event_id: &str, recipient: &str) -> String {
    format!("{event_id}#{recipient}")
}

impl Deliveries {
    pub fn new(client: impl Into<LazyClient<Client>>, table: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            table: table.into(),
        }
    }

    async fn client(&self) -> &Client {
        self.client.get().await
    }

    pub async fn claim(&self, id: &str) -> Result<Claim, DeliveryError> {
        let now = EpochSecs::now();
        let stale_before = EpochSecs(now.0 - STALE_CLAIM_SECS as i64);
        let put = self
            .client()
            .await
            .put_item()
            .table_name(&self.table)
            .item("delivery_id", AttributeValue::S(id.to_owned()))
            .item("state", AttributeValue::S("sending".into()))
            .item("claimed_at", AttributeValue::N(now.0.to_string()))
            .item(
                "expires_at",
                AttributeValue::N(now.plus_secs(KEEP_SECS).0.to_string()),
            )
            .condition_expression(
                "attribute_not_exists(delivery_id) OR (#s = :sending AND claimed_at < :stale)",
            )
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":sending", AttributeValue::S("sending".into()))
            .expression_attribute_values(":stale", AttributeValue::N(stale_before.0.to_string()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(Claim::Won),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(Claim::Taken)
            }
            Err(e) => Err(store_err(e)),
        }
    }

    pub async fn mark_sent(&self, id: &str, message_id: &str) -> Result<(), DeliveryError> {
        self.finish(id, "sent", "message_id", message_id).await
    }

    pub async fn mark_failed(&self, id: &str, reason: &str) -> Result<(), DeliveryError> {
        self.finish(id, "failed", "reason", reason).await
    }

    async fn finish(
        &self,
        id: &str,
        state: &str,
        attribute: &str,
        value: &str,
    ) -> Result<(), DeliveryError> {
        self.client()
            .await
            .update_item()
            .table_name(&self.table)
            .key("delivery_id", AttributeValue::S(id.to_owned()))
            .update_expression("SET #s = :state, #a = :value, finished_at = :now")
            .expression_attribute_names("#s", "state")
            .expression_attribute_names("#a", attribute)
            .expression_attribute_values(":state", AttributeValue::S(state.to_owned()))
            .expression_attribute_values(":value", AttributeValue::S(value.to_owned()))
            .expression_attribute_values(":now", AttributeValue::N(EpochSecs::now().0.to_string()))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// Give a claim back after a temporary failure, so the retry can send.
    pub async fn release(&self, id: &str) -> Result<(), DeliveryError> {
        self.client()
            .await
            .delete_item()
            .table_name(&self.table)
            .key("delivery_id", AttributeValue::S(id.to_owned()))
            .condition_expression("#s = :sending")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":sending", AttributeValue::S("sending".into()))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// The state of a delivery (`sending`, `sent`, `failed`), if recorded.
    pub async fn state(&self, id: &str) -> Result<Option<String>, DeliveryError> {
        let out = self
            .client()
            .await
            .get_item()
            .table_name(&self.table)
            .key("delivery_id", AttributeValue::S(id.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_err)?;
        Ok(out
            .item()
            .and_then(|i| i.get("state"))
            .and_then(|v| v.as_s().ok())
            .cloned())
    }
}
