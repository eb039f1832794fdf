//! EventBridge: put a task event on the bus under the event contract (`docs/events.md`):
//! `source = "taskboard.tasks"`, the event's `detail-type`, and its JSON as `detail`.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime as AwsDateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use taskboard_core::aws::LazyClient;
use taskboard_domain::events::{SOURCE, TaskEvent};

#[derive(Debug, thiserror::Error)]
#[error("EventBridge: {0}")]
pub struct PublishError(String);

#[derive(Clone)]
pub struct Publisher {
    client: LazyClient<Client>,
    bus: String,
}

impl Publisher {
    pub fn new(client: impl Into<LazyClient<Client>>, bus: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            bus: bus.into(),
        }
    }

    /// Publish `event` (`detail` is its JSON, as stored in the outbox). An entry EventBridge
    /// refuses is an error, like a failed call.
    pub async fn publish(&self, event: &TaskEvent, detail: &str) -> Result<(), PublishError> {
        let out = self
            .client
            .get()
            .await
            .put_events()
            .entries(event_entry(&self.bus, event, detail))
            .send()
            .await
            .map_err(|e| PublishError(aws_sdk_eventbridge::Error::from(e).to_string()))?;
        if out.failed_entry_count() > 0 {
            let reason = out
                .entries()
                .iter()
                .filter_map(|e| e.error_message())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(PublishError(reason));
        }
        Ok(())
    }
}

/// The `PutEvents` entry for an event (`detail` is its JSON, as stored in the outbox).
pub fn event_entry(bus: &str, event: &TaskEvent, detail: &str) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(SOURCE)
        .detail_type(event.detail_type.as_str())
        .detail(detail)
        .time(AwsDateTime::from_millis(
            event.occurred_at.timestamp_millis(),
        ))
        .resources(format!("taskboard:task/{}", event.task.id))
        .build()
}
