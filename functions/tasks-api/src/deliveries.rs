//! Who was e-mailed about each change of a task, and how it went: the log-notifier's delivery
//! records (DynamoDB `notifications`), read through their `task_id-index` and re-parsed into
//! [`DeliveryStatus`] on the way in. Read-only here; the notifier writes them, and SES's reports
//! move them on (`functions/log-notifier/src/feedback.rs`).

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use serde::Serialize;
use taskboard_core::aws::LazyClient;
use taskboard_core::dynamo::{self, DynamoError, Item, Table};
use taskboard_domain::{DeliveryStatus, TaskId, UserId};

/// A task's records are read in pages of this many, up to [`MAX_RECORDS`]: records expire after
/// 30 days, so even a busy task holds a few hundred.
const PAGE: i32 = 250;
const MAX_RECORDS: usize = 1000;
// Newest first: the sort key is `event_id#recipient` and event ids are UUIDv7 (time-ordered), so
// the records of a busy task's oldest changes are the ones left out past MAX_RECORDS.

#[derive(Debug, thiserror::Error)]
pub enum DeliveryReadError {
    #[error("delivery records: {0}")]
    Store(#[from] DynamoError),
    #[error("delivery record {0} is unreadable")]
    Corrupt(String),
}

/// One recipient's e-mail about one change, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub recipient: Recipient,
    pub status: DeliveryStatus,
    /// When it last changed (RFC 3339).
    pub at: String,
}

impl Delivery {
    /// The delivery as `viewer` may see it: that a teammate marked our e-mail as spam is theirs
    /// to know; others see only that mail to them has stopped (`suppressed`).
    pub fn as_seen_by(mut self, viewer: UserId) -> Self {
        if self.status == DeliveryStatus::Complained && self.recipient.id != viewer {
            self.status = DeliveryStatus::Suppressed;
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub id: UserId,
    /// Their name when the e-mail was sent.
    pub name: String,
}

#[derive(Clone)]
pub struct DeliveryLog {
    table: Table,
}

impl DeliveryLog {
    pub const INDEX: &'static str = "task_id-index";

    pub fn new(client: impl Into<LazyClient<Client>>, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    /// A task's deliveries by event id, each event's in recipient-name order.
    pub async fn for_task(
        &self,
        task: TaskId,
    ) -> Result<HashMap<String, Vec<Delivery>>, DeliveryReadError> {
        let mut by_event: HashMap<String, Vec<Delivery>> = HashMap::new();
        let mut start = None;
        let mut read = 0;
        loop {
            let out = self
                .table
                .client()
                .await
                .query()
                .table_name(self.table.name())
                .index_name(Self::INDEX)
                .key_condition_expression("task_id = :t")
                .expression_attribute_values(":t", dynamo::s(task.to_string()))
                .scan_index_forward(false)
                .limit(PAGE)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(DynamoError::from)?;
            for item in out.items() {
                let (event_id, delivery) = parse(item)?;
                by_event.entry(event_id).or_default().push(delivery);
            }
            read += out.items().len();
            start = out.last_evaluated_key;
            if start.is_none() || read >= MAX_RECORDS {
                break;
            }
        }
        for deliveries in by_event.values_mut() {
            deliveries.sort_by(|a, b| a.recipient.name.cmp(&b.recipient.name));
        }
        Ok(by_event)
    }
}

fn parse(item: &Item) -> Result<(String, Delivery), DeliveryReadError> {
    let id = dynamo::string(item, "delivery_id")?;
    let corrupt = || DeliveryReadError::Corrupt(id.clone());
    let status =
        DeliveryStatus::parse_stored(&dynamo::string(item, "state")?).map_err(|_| corrupt())?;
    let recipient = UserId::parse(&dynamo::string(item, "recipient")?).map_err(|_| corrupt())?;
    let at = ["feedback_at", "finished_at", "claimed_at"]
        .into_iter()
        .find_map(|name| dynamo::number(item, name).ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .ok_or_else(corrupt)?;
    Ok((
        dynamo::string(item, "event_id")?,
        Delivery {
            recipient: Recipient {
                id: recipient,
                name: dynamo::string(item, "recipient_name")?,
            },
            status,
            at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
    ))
}
