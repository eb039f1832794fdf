//! What the notifier's two rules deliver, told apart by EventBridge's `source`: a task event from
//! the task bus ([`crate::handler`]), or SES's report on an e-mail it accepted, from the default
//! bus ([`crate::feedback`]).

use aws_lambda_events::eventbridge::EventBridgeEvent;
use taskboard_domain::events::TaskEvent;

use crate::feedback::{self, FeedbackSummary, SesReport};
use crate::handler::{Notifier, NotifyError, Summary};

/// What the notifier's rules deliver: a task event from the task bus, or SES's report on an
/// e-mail it accepted (from the default bus, where SES publishes).
#[derive(Debug, Clone)]
pub enum Incoming {
    Task(Box<EventBridgeEvent<TaskEvent>>),
    Ses(Box<EventBridgeEvent<SesReport>>),
}

impl<'de> serde::Deserialize<'de> for Incoming {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
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
        }
    }
}

/// Parse whatever a rule delivered: a task event or an SES report.
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
