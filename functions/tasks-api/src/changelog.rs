//! The change log in DynamoDB: one item per task event, keyed by task and `occurred_at#event_id`,
//! written with a condition so a repeated delivery of the same event is harmless.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use taskboard_core::aws::LazyClient;
use taskboard_core::domain::TaskId;
use taskboard_core::events::TaskEvent;

#[derive(Debug, thiserror::Error)]
pub enum ChangeLogError {
    #[error("change log: {0}")]
    Store(#[source] Box<aws_sdk_dynamodb::Error>),
    #[error("change log holds an unreadable item: {0}")]
    Corrupt(String),
}

fn store_err<E, R>(err: SdkError<E, R>) -> ChangeLogError
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    ChangeLogError::Store(Box::new(err.into()))
}

/// One history entry as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistoryEntry {
    pub event_id: String,
    #[serde(rename = "type")]
    pub detail_type: String,
    pub occurred_at: String,
    pub actor: serde_json::Value,
    pub changes: serde_json::Value,
}

#[derive(Clone)]
pub struct ChangeLog {
    client: LazyClient<Client>,
    table: String,
}

fn log_key(event: &TaskEvent) -> String {
    format!(
        "{}#{}",
        event.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        event.event_id
    )
}

impl ChangeLog {
    pub fn new(client: impl Into<LazyClient<Client>>, table: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            table: table.into(),
        }
    }

    async fn client(&self) -> &Client {
        self.client.get().await
    }

    /// Record `event`. Returns false when it was already recorded (a repeat delivery).
    pub async fn record(&self, event: &TaskEvent) -> Result<bool, ChangeLogError> {
        let put = self
            .client()
            .await
            .put_item()
            .table_name(&self.table)
            .item("task_id", AttributeValue::S(event.task.id.to_string()))
            .item("log_key", AttributeValue::S(log_key(event)))
            .item("event_id", AttributeValue::S(event.event_id.to_string()))
            .item(
                "detail_type",
                AttributeValue::S(event.detail_type.as_str().to_owned()),
            )
            .item(
                "occurred_at",
                AttributeValue::S(event.occurred_at.to_rfc3339()),
            )
            .item("actor", AttributeValue::S(json(&event.actor)))
            .item("changes", AttributeValue::S(json(&event.changes)))
            .item("task", AttributeValue::S(json(&event.task)))
            .condition_expression("attribute_not_exists(log_key)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(store_err(e)),
        }
    }

    /// A task's history, newest first, at most `limit` entries.
    pub async fn history(
        &self,
        task: TaskId,
        limit: i32,
    ) -> Result<Vec<HistoryEntry>, ChangeLogError> {
        let out = self
            .client()
            .await
            .query()
            .table_name(&self.table)
            .key_condition_expression("task_id = :t")
            .expression_attribute_values(":t", AttributeValue::S(task.to_string()))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(store_err)?;
        out.items()
            .iter()
            .map(|item| {
                let s = |name: &str| match item.get(name) {
                    Some(AttributeValue::S(v)) => Ok(v.clone()),
                    _ => Err(ChangeLogError::Corrupt(format!("missing {name}"))),
                };
                let parse = |name: &str| {
                    s(name).and_then(|v| {
                        serde_json::from_str(&v).map_err(|e| ChangeLogError::Corrupt(e.to_string()))
                    })
                };
                Ok(HistoryEntry {
                    event_id: s("event_id")?,
                    detail_type: s("detail_type")?,
                    occurred_at: s("occurred_at")?,
                    actor: parse("actor")?,
                    changes: parse("changes")?,
                })
            })
            .collect()
    }
}

/// Serialise an event part (the event types always serialise).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
