//! EventBridge: put task events on the bus under the event contract (`docs/events.md`):
//! `source = "taskboard.tasks"`, the event's `detail-type`, and its JSON as `detail`.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime as AwsDateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use taskboard_core::aws::LazyClient;
use taskboard_domain::events::{SOURCE, TaskEvent};

/// At most this many entries per `PutEvents` call (EventBridge's limit).
pub const MAX_ENTRIES: usize = 10;

#[derive(Debug, thiserror::Error)]
#[error("EventBridge: {0}")]
pub struct PublishError(pub String);

#[derive(Clone)]
pub struct Bus {
    client: LazyClient<Client>,
    name: String,
}

impl Bus {
    pub fn new(client: impl Into<LazyClient<Client>>, name: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            name: name.into(),
        }
    }

    /// Put up to [`MAX_ENTRIES`] events (each with its `detail` JSON, as stored) in one call.
    /// `Err`: the call failed, nothing is known to be on the bus. `Ok`: per entry, `None` if it
    /// is on the bus, or why EventBridge refused it.
    pub async fn put(
        &self,
        events: &[(&TaskEvent, &str)],
    ) -> Result<Vec<Option<String>>, PublishError> {
        let entries = events
            .iter()
            .map(|(event, detail)| entry(&self.name, event, detail))
            .collect();
        let out = self
            .client
            .get()
            .await
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| PublishError(aws_sdk_eventbridge::Error::from(e).to_string()))?;
        let results = out.entries();
        // EventBridge answers one result per entry, in order; a short answer is a failure of
        // the entries it does not cover.
        Ok((0..events.len())
            .map(|i| match results.get(i) {
                Some(result) if result.event_id().is_some() => None,
                Some(result) => Some(
                    result
                        .error_message()
                        .or(result.error_code())
                        .unwrap_or("refused")
                        .to_owned(),
                ),
                None => Some("no result for this entry".to_owned()),
            })
            .collect())
    }
}

/// The `PutEvents` entry for an event (`detail` is its JSON, as stored in the outbox).
pub fn entry(bus: &str, event: &TaskEvent, detail: &str) -> PutEventsRequestEntry {
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
