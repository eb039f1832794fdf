//! What invokes the notifier: its two rules, told apart by EventBridge's `source` (a task event
//! from the task bus, [`crate::handler`]; SES's report on an e-mail it accepted, from the default
//! bus, [`crate::feedback`]), and the account-e-mail queue's stream (a batch of `Records`,
//! [`crate::outgoing`]), answered with the record to retry from.

use aws_lambda_events::dynamodb::Event as StreamEvent;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use taskboard_domain::events::TaskEvent;

use crate::feedback::{self, FeedbackSummary, SesReport};
use crate::handler::{Notifier, NotifyError, Summary};
use crate::outgoing::QueuedMail;

/// What the notifier's rules deliver: a task event from the task bus, or SES's report on an
/// e-mail it accepted (from the default bus, where SES publishes).
#[derive(Debug, Clone)]
pub enum Incoming {
    Task(Box<EventBridgeEvent<TaskEvent>>),
    Ses(Box<EventBridgeEvent<SesReport>>),
    /// A batch of the account-e-mail queue's stream.
    Mail(Box<StreamEvent>),
}

impl<'de> serde::Deserialize<'de> for Incoming {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.get("Records").is_some() {
            return serde_json::from_value(value)
                .map(|e| Incoming::Mail(Box::new(e)))
                .map_err(D::Error::custom);
        }
        let from_ses = value.get("source").and_then(|s| s.as_str()) == Some(feedback::SOURCE);
        if from_ses {
            serde_json::from_value(value)
                .map(|e| Incoming::Ses(Box::new(e)))
                .map_err(D::Error::custom)
        } else {
            serde_json::from_value(value)
                .map(|e| Incoming::Task(Box::new(e)))
                .map_err(D::Error::custom)
        }
    }
}

/// What one invocation did, by kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Handled {
    Task(Summary),
    Ses(FeedbackSummary),
    Mail(DynamoDbEventResponse),
}

impl Notifier {
    /// Handle whatever a rule delivered.
    pub async fn handle_incoming(&self, incoming: Incoming) -> Result<Handled, NotifyError> {
        match incoming {
            Incoming::Task(event) => self.handle(*event).await.map(Handled::Task),
            Incoming::Ses(event) => {
                let span = tracing::info_span!("ses_report", detail_type = %event.detail_type);
                let _guard = span.enter();
                Ok(Handled::Ses(self.feedback.handle(&event.detail).await?))
            }
            Incoming::Mail(batch) => {
                let records: Vec<QueuedMail> = batch
                    .records
                    .iter()
                    .map(|r| {
                        let image = string_attributes(&r.change.new_image);
                        let sequence = r.change.sequence_number.clone().unwrap_or_default();
                        QueuedMail::from_image(sequence, &r.event_name, &image)
                    })
                    .collect();
                let failed = self.outgoing().send_batch(&records).await;
                let mut response = DynamoDbEventResponse::default();
                if let Some(sequence) = failed {
                    let mut failure = DynamoDbBatchItemFailure::default();
                    failure.item_identifier = Some(sequence);
                    response.batch_item_failures.push(failure);
                }
                Ok(Handled::Mail(response))
            }
        }
    }
}

/// A stream image's string attributes (DynamoDB JSON `{"name": {"S": "…"}}`).
fn string_attributes<T: serde::Serialize>(image: &T) -> std::collections::HashMap<String, String> {
    let value = serde_json::to_value(image).unwrap_or_default();
    value
        .as_object()
        .map(|attributes| {
            attributes
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.get("S")?.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// Parse whatever invoked the notifier: a task event, an SES report or a queue batch.
pub fn parse_incoming(json: &str) -> Result<Incoming, serde_json::Error> {
    serde_json::from_str(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(source: &str, detail_type: &str, detail: serde_json::Value) -> String {
        serde_json::json!({
            "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": detail_type, "source": source, "account": "111122223333",
            "time": "2026-11-25T10:00:00Z", "region": "eu-west-1", "resources": [],
            "detail": detail,
        })
        .to_string()
    }

    #[test]
    fn an_ses_report_is_told_from_a_task_event_by_its_source() {
        let report = envelope(
            "aws.ses",
            "Email Bounced",
            serde_json::json!({
                "eventType": "Bounce",
                "mail": {"messageId": "m-1", "tags": {"taskboard-delivery": ["a_b"]}},
                "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "bob@example.com"}]},
            }),
        );
        let Ok(Incoming::Ses(event)) = parse_incoming(&report) else {
            panic!("an SES report");
        };
        assert_eq!(event.detail.mail.tags["taskboard-delivery"], ["a_b"]);
        // Anything else must be a task event, and one that is not is refused (the invocation
        // fails and goes to the dead-letter queue) rather than being read as a report.
        let other = envelope(
            "taskboard.tasks",
            "Task Created",
            serde_json::json!({"x": 1}),
        );
        assert!(parse_incoming(&other).is_err());
        let forged = envelope(
            "aws.ses",
            "Email Bounced",
            serde_json::json!({"eventType": 1}),
        );
        assert!(parse_incoming(&forged).is_err());
    }
}
