//! The task event contract (version 1), documented in `docs/events.md`.
//!
//! tasks-api writes one event per change into its outbox, in the same transaction as the change;
//! the relay copies it to the DynamoDB change log and publishes it to EventBridge with
//! `source = "taskboard.tasks"` and one of the `detail-type`s below; the notifier reads it.
//! The `detail` carries everything the notifier needs (people with names and addresses), so it
//! needs no database. Consumers are idempotent on `event_id`, never on the EventBridge envelope id.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    DisplayName, DueDate, EmailAddress, ProjectId, ProjectRef, TaskDescription, TaskId, TaskStatus,
    TaskTitle, User, UserId,
};

pub const SOURCE: &str = "taskboard.tasks";
pub const SCHEMA_VERSION: u32 = 1;

/// The EventBridge rule pattern that routes task events to the notifier: every task event of
/// this source and of a known type. `infra/template.yaml` and the local bootstrap both use it.
pub const NOTIFY_RULE_PATTERN: &str = r#"{"source":["taskboard.tasks"],"detail-type":["Task Created","Task Updated","Task Status Changed","Task Assigned","Task Deleted"]}"#;

/// What happened, as EventBridge's `detail-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DetailType {
    #[serde(rename = "Task Created")]
    Created,
    #[serde(rename = "Task Updated")]
    Updated,
    #[serde(rename = "Task Status Changed")]
    StatusChanged,
    #[serde(rename = "Task Assigned")]
    Assigned,
    #[serde(rename = "Task Deleted")]
    Deleted,
}

impl DetailType {
    pub const ALL: [DetailType; 5] = [
        DetailType::Created,
        DetailType::Updated,
        DetailType::StatusChanged,
        DetailType::Assigned,
        DetailType::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DetailType::Created => "Task Created",
            DetailType::Updated => "Task Updated",
            DetailType::StatusChanged => "Task Status Changed",
            DetailType::Assigned => "Task Assigned",
            DetailType::Deleted => "Task Deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == raw)
    }
}

/// A person as events carry them: enough to address and greet them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: UserId,
    pub name: DisplayName,
    pub email: EmailAddress,
}

impl From<User> for Person {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            name: user.name,
            email: user.email,
        }
    }
}

/// A task as it is after the change (before it, for `Task Deleted`). Also the API's task shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSnapshot {
    pub id: TaskId,
    pub project_id: ProjectId,
    pub title: TaskTitle,
    pub description: Option<TaskDescription>,
    pub status: TaskStatus,
    pub assignee: Option<Person>,
    pub due_date: Option<DueDate>,
    pub created_by: Person,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u32,
}

/// One field's change. Values are JSON as the API shows them (`assignee` as a person or null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub from: serde_json::Value,
    pub to: serde_json::Value,
}

/// Why a person is concerned by the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Creator,
    Assignee,
    PreviousAssignee,
}

/// Someone the event concerns. The notifier removes the actor and sends each person one e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    #[serde(flatten)]
    pub person: Person,
    pub roles: Vec<Role>,
}

/// The `detail` of every task event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEvent {
    pub event_id: uuid::Uuid,
    pub schema_version: u32,
    #[serde(rename = "type")]
    pub detail_type: DetailType,
    pub occurred_at: DateTime<Utc>,
    pub actor: Person,
    /// The task's project. Recipients are its current, active members only.
    pub project: ProjectRef,
    pub task: TaskSnapshot,
    /// Field name → from/to. Empty for `Task Created` and `Task Deleted`.
    pub changes: BTreeMap<String, FieldChange>,
    pub recipients: Vec<Recipient>,
}

impl TaskEvent {
    /// The people concerned: creator, assignee and (on reassignment) the previous assignee,
    /// each once with all their roles. The actor is included; the notifier leaves them out.
    pub fn concerned(task: &TaskSnapshot, previous_assignee: Option<&Person>) -> Vec<Recipient> {
        let mut out: Vec<Recipient> = Vec::new();
        let mut add =
            |person: &Person, role: Role| match out.iter_mut().find(|r| r.person.id == person.id) {
                Some(existing) => existing.roles.push(role),
                None => out.push(Recipient {
                    person: person.clone(),
                    roles: vec![role],
                }),
            };
        add(&task.created_by, Role::Creator);
        if let Some(assignee) = &task.assignee {
            add(assignee, Role::Assignee);
        }
        if let Some(previous) = previous_assignee {
            add(previous, Role::PreviousAssignee);
        }
        out
    }
}
