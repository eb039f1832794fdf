//! The change log in DynamoDB: one item per task event, keyed by task and `occurred_at#event_id`,
//! written with a condition so a repeated delivery of the same event is harmless. Each item
//! carries the event's JSON as stored in the outbox (`event`): the table's stream triggers the
//! publisher function, which puts exactly that on the bus (`docs/events.md`).

use aws_sdk_dynamodb::Client;
use serde::Serialize;
use std::collections::HashSet;
use taskboard_core::aws::LazyClient;
use taskboard_core::dynamo::{self, DynamoError, Item, Table};

use taskboard_domain::events::TaskEvent;
use taskboard_domain::{ProjectId, TaskId, UserId};

#[derive(Debug, thiserror::Error)]
pub enum ChangeLogError {
    #[error("change log: {0}")]
    Store(#[from] DynamoError),
    #[error("change log holds an unreadable item: {0}")]
    Corrupt(String),
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
    /// Who was e-mailed about this change and how it went (filled in by the history route).
    pub deliveries: Vec<crate::deliveries::Delivery>,
}

impl HistoryEntry {
    /// The id of the person who made the change.
    pub fn actor_id(&self) -> Option<UserId> {
        self.actor
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|id| UserId::parse(id).ok())
    }

    /// Mark the actor `"deactivated": true` if they are among `gone`: history keeps their name.
    pub fn mark_deactivated(&mut self, gone: &HashSet<UserId>) {
        if self.actor_id().is_some_and(|id| gone.contains(&id))
            && let Some(actor) = self.actor.as_object_mut()
        {
            actor.insert("deactivated".into(), serde_json::Value::Bool(true));
        }
    }
}

/// A task's history and the project it belongs (or belonged) to.
#[derive(Debug, Clone, PartialEq)]
pub struct Log {
    pub items: Vec<HistoryEntry>,
    /// From the newest entry; `None` for entries written before projects existed.
    pub project: Option<ProjectId>,
}

#[derive(Clone)]
pub struct ChangeLog {
    table: Table,
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
            table: Table::new(client, table),
        }
    }

    /// Record `event`, whose JSON as the outbox stored it is `detail`. Returns false when it was
    /// already recorded (a repeat delivery; its stream record went out with the first).
    pub async fn record(&self, event: &TaskEvent, detail: &str) -> Result<bool, ChangeLogError> {
        let item = Item::from([
            ("task_id".to_owned(), dynamo::s(event.task.id.to_string())),
            (
                "project_id".to_owned(),
                dynamo::s(event.project.id.to_string()),
            ),
            ("log_key".to_owned(), dynamo::s(log_key(event))),
            ("event_id".to_owned(), dynamo::s(event.event_id.to_string())),
            (
                "detail_type".to_owned(),
                dynamo::s(event.detail_type.as_str()),
            ),
            (
                "occurred_at".to_owned(),
                dynamo::s(event.occurred_at.to_rfc3339()),
            ),
            ("actor".to_owned(), dynamo::s(json(&event.actor))),
            ("changes".to_owned(), dynamo::s(json(&event.changes))),
            ("task".to_owned(), dynamo::s(json(&event.task))),
            ("event".to_owned(), dynamo::s(detail)),
        ]);
        if self.table.put_new(item, "log_key").await? {
            return Ok(true);
        }
        // Recorded before. If an older release wrote it, it has no `event` and was to be published
        // by that release's relay, which may have lost its EventBridge access mid-upgrade: give it
        // its event, and the stream's MODIFY takes it to the publisher. Otherwise nothing changes.
        let update = self
            .table
            .client()
            .await
            .update_item()
            .table_name(self.table.name())
            .key("task_id", dynamo::s(event.task.id.to_string()))
            .key("log_key", dynamo::s(log_key(event)))
            .update_expression("SET #e = :e")
            .condition_expression("attribute_exists(log_key) AND attribute_not_exists(#e)")
            .expression_attribute_names("#e", "event")
            .expression_attribute_values(":e", dynamo::s(detail))
            .send()
            .await;
        if dynamo::conditional(update)?.is_some() {
            tracing::info!(event_id = %event.event_id, "an older change-log item given its event");
        }
        Ok(false)
    }

    /// A task's history, newest first, at most `limit` entries.
    pub async fn history(&self, task: TaskId, limit: i32) -> Result<Log, ChangeLogError> {
        let out = self
            .table
            .client()
            .await
            .query()
            .table_name(self.table.name())
            .key_condition_expression("task_id = :t")
            .expression_attribute_values(":t", dynamo::s(task.to_string()))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(DynamoError::from)?;
        let project = out
            .items()
            .first()
            .and_then(|item| dynamo::string(item, "project_id").ok())
            .and_then(|id| ProjectId::parse(&id).ok());
        let items = out
            .items()
            .iter()
            .map(|item| {
                let parse = |name: &'static str| {
                    let raw = dynamo::string(item, name)?;
                    serde_json::from_str(&raw).map_err(|e| ChangeLogError::Corrupt(e.to_string()))
                };
                Ok(HistoryEntry {
                    event_id: dynamo::string(item, "event_id")?,
                    detail_type: dynamo::string(item, "detail_type")?,
                    occurred_at: dynamo::string(item, "occurred_at")?,
                    actor: parse("actor")?,
                    changes: parse("changes")?,
                    deliveries: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, ChangeLogError>>()?;
        Ok(Log { items, project })
    }
}

/// Serialise an event part (the event types always serialise).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
