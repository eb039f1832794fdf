//! Delivery records in DynamoDB, one per `event_id#recipient`: the notifier claims a delivery
//! with a conditional put before sending, so a repeated or concurrent delivery of the same event
//! sends each e-mail once.
//!
//! States ([`DeliveryStatus`]): `sending` (claimed), `sent`, `failed` (permanent; never retried),
//! `suppressed` (the address bounced or complained before: not sent), `capped` (the recipient was
//! past their hourly cap: covered by the summary e-mail whose record it names); then, as SES
//! reports back ([`crate::feedback`]), `delivered`, `bounced` or `complained`.
//!
//! A task e-mail's record also carries the task, the event and the recipient (id and name), and
//! the table's `task_id-index` gathers a task's records for its history
//! (`GET /api/tasks/{id}/history`: who was e-mailed about each change and how it went).
//!
//! A claim held by another invocation that may still be sending ([`Claim::InFlight`]) makes this
//! invocation fail retryably: counting it as a duplicate would lose the e-mail whenever that other
//! invocation died. A claim is presumed abandoned once it is older than the function can run
//! ([`STALE_CLAIM_SECS`], just above its timeout), so Lambda's first retry (about a minute later)
//! takes it over. A sender that fails temporarily releases its claim so the retry can send at
//! once; if the release fails, the retry waits out the stale window instead.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use taskboard_core::aws::LazyClient;
use taskboard_core::dynamo::{self, DynamoError, Table};
use taskboard_domain::DeliveryStatus;
use taskboard_domain::events::{Person, TaskEvent};
use taskboard_domain::time::EpochSecs;

/// A claim older than this is presumed abandoned: the notifier's timeout (`Timeout: 30` in
/// infra/template.yaml) plus 15 s for clock skew between invocations. Shorter would let a retry
/// send while the first invocation is still sending; longer makes the retry find it still held.
pub const STALE_CLAIM_SECS: u64 = 45;
/// Recording a sent message is retried this many times (the SDK already retries each call three
/// times on throttling and 5xx): a record left `sending` after SES accepted the message is the
/// one window in which a late re-drive could send it again (docs/operations.md).
const RECORD_ATTEMPTS: u32 = 4;
/// Records are kept this long, well past EventBridge's 24-hour retry window.
pub const KEEP_SECS: u64 = 30 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
#[error("delivery records: {0}")]
pub struct DeliveryError(#[from] DynamoError);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This invocation owns the delivery and must send.
    Won,
    /// Finished: sent, permanently failed, or covered by a summary. Nothing to do.
    Done,
    /// Claimed less than [`STALE_CLAIM_SECS`] ago by an invocation that may still be sending:
    /// retry later, when it has finished or its claim has gone stale.
    InFlight,
}

#[derive(Clone)]
pub struct Deliveries {
    table: Table,
    stale_after_secs: u64,
}

/// What a task e-mail's record says it is about, for the task's history.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub event: &'a TaskEvent,
    pub recipient: &'a Person,
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
            stale_after_secs: STALE_CLAIM_SECS,
        }
    }

    /// Presume a claim dead after `secs` instead of [`STALE_CLAIM_SECS`] (`CLAIM_STALE_SECS`).
    pub fn with_stale_after(mut self, secs: u64) -> Self {
        self.stale_after_secs = secs;
        self
    }

    /// Claim record `id` for sending; `about` names the task e-mail it is (a summary has none).
    pub async fn claim(&self, id: &str, about: Option<About<'_>>) -> Result<Claim, DeliveryError> {
        let now = EpochSecs::now();
        let stale_before = EpochSecs(now.0 - self.stale_after_secs as i64);
        let mut put = self
            .table
            .client()
            .await
            .put_item()
            .table_name(self.table.name())
            .item("delivery_id", dynamo::s(id))
            .item("state", dynamo::s(DeliveryStatus::Sending.stored()))
            .item("claimed_at", dynamo::n(now.0))
            .item("expires_at", dynamo::n(now.plus_secs(KEEP_SECS).0));
        if let Some(About { event, recipient }) = about {
            put = put
                .item("task_id", dynamo::s(event.task.id.to_string()))
                .item("event_id", dynamo::s(event.event_id.to_string()))
                .item("recipient", dynamo::s(recipient.id.to_string()))
                .item("recipient_name", dynamo::s(recipient.name.as_str()));
        }
        let put = put
            .condition_expression(
                "attribute_not_exists(delivery_id) OR (#s = :sending AND claimed_at < :stale)",
            )
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":sending", dynamo::s(DeliveryStatus::Sending.stored()))
            .expression_attribute_values(":stale", dynamo::n(stale_before.0))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match put {
            Ok(_) => Ok(Claim::Won),
            Err(err) => match aws_sdk_dynamodb::Error::from(err) {
                aws_sdk_dynamodb::Error::ConditionalCheckFailedException(failed) => {
                    // The record as it stood, returned with the failure; read it if the service
                    // did not return it.
                    let state = match failed.item() {
                        Some(item) => dynamo::string(item, "state").ok(),
                        None => self.state(id).await?,
                    };
                    Ok(match state.as_deref() {
                        Some("sending") => Claim::InFlight,
                        // Gone between the two calls (released): the retry will find it free.
                        None => Claim::InFlight,
                        Some(_) => Claim::Done,
                    })
                }
                other => Err(DeliveryError(DynamoError::Sdk(Box::new(other)))),
            },
        }
    }

    /// Record that SES accepted the message, retrying with backoff (100, 200, 400 ms): the
    /// message is out, and an unrecorded one could be sent again by a late re-drive.
    pub async fn mark_sent(&self, id: &str, message_id: &str) -> Result<(), DeliveryError> {
        let mut attempt = 1;
        loop {
            match self
                .finish(id, DeliveryStatus::Sent, "message_id", message_id)
                .await
            {
                Ok(()) => return Ok(()),
                Err(err) if attempt >= RECORD_ATTEMPTS => return Err(err),
                Err(err) => {
                    tracing::warn!(error = %err, attempt, "could not record a sent e-mail; retrying");
                    tokio::time::sleep(Duration::from_millis(100 << (attempt - 1))).await;
                    attempt += 1;
                }
            }
        }
    }

    pub async fn mark_failed(&self, id: &str, reason: &str) -> Result<(), DeliveryError> {
        self.finish(id, DeliveryStatus::Failed, "reason", reason)
            .await
    }

    /// The recipient was past their cap: this change is covered by the summary `summary_id`.
    pub async fn mark_capped(&self, id: &str, summary_id: &str) -> Result<(), DeliveryError> {
        self.finish(id, DeliveryStatus::Summarised, "summary", summary_id)
            .await
    }

    /// The address is suppressed (it bounced or complained): not sent.
    pub async fn mark_suppressed(&self, id: &str, reason: &str) -> Result<(), DeliveryError> {
        self.finish(id, DeliveryStatus::Suppressed, "reason", reason)
            .await
    }

    /// Record what SES reported about a sent message: `Delivered` only over `sent`, `Bounced`
    /// over `sending`, `sent` or `delivered` (the record may still say `sending` if recording
    /// the send failed), `Complained` over any of those or `bounced`. A report never moves a
    /// record backwards, so late and repeated reports are harmless. `Ok(false)`: no such record
    /// in that state (expired, forged, or already further on).
    pub async fn record_feedback(
        &self,
        id: &str,
        status: DeliveryStatus,
        at: EpochSecs,
    ) -> Result<bool, DeliveryError> {
        let from: &[DeliveryStatus] = match status {
            DeliveryStatus::Delivered => &[DeliveryStatus::Sent],
            DeliveryStatus::Bounced => &[
                DeliveryStatus::Sending,
                DeliveryStatus::Sent,
                DeliveryStatus::Delivered,
            ],
            DeliveryStatus::Complained => &[
                DeliveryStatus::Sending,
                DeliveryStatus::Sent,
                DeliveryStatus::Delivered,
                DeliveryStatus::Bounced,
            ],
            _ => return Ok(false),
        };
        let mut update = self
            .table
            .client()
            .await
            .update_item()
            .table_name(self.table.name())
            .set_key(Some(key(id)))
            .update_expression("SET #s = :state, feedback_at = :at")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":state", dynamo::s(status.stored()))
            .expression_attribute_values(":at", dynamo::n(at.0));
        let mut names = Vec::with_capacity(from.len());
        for (i, state) in from.iter().enumerate() {
            let name = format!(":from{i}");
            update = update.expression_attribute_values(&name, dynamo::s(state.stored()));
            names.push(name);
        }
        let update = update.condition_expression(format!("#s IN ({})", names.join(", ")));
        Ok(dynamo::conditional(update.send().await)?.is_some())
    }

    async fn finish(
        &self,
        id: &str,
        state: DeliveryStatus,
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
            .expression_attribute_values(":state", dynamo::s(state.stored()))
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
            .expression_attribute_values(":sending", dynamo::s(DeliveryStatus::Sending.stored()))
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
