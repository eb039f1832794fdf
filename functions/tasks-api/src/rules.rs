//! The task rules, independent of HTTP and storage: what a valid new task or edit is, who may do
//! what, and which event a change is.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use taskboard_core::domain::{DueDate, TaskDescription, TaskStatus, TaskTitle, UserId};
use taskboard_core::events::{DetailType, FieldChange, Person, TaskSnapshot};
use taskboard_core::http::FieldError;

/// A new task, every field valid. The assignee is a well-formed id; whether that person exists
/// is checked by the store inside the write's transaction.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: TaskTitle,
    pub description: Option<TaskDescription>,
    pub status: TaskStatus,
    pub assignee: Option<UserId>,
    pub due_date: Option<DueDate>,
}

/// An edit: `None` leaves a field alone; `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub title: Option<TaskTitle>,
    pub description: Option<Option<TaskDescription>>,
    pub status: Option<TaskStatus>,
    pub assignee: Option<Option<UserId>>,
    pub due_date: Option<Option<DueDate>>,
}

/// The JSON a client sends to create a task.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub assignee_id: Option<String>,
    #[serde(default)]
    pub due_date: Option<String>,
}

/// The JSON a client sends to edit a task (JSON merge-patch semantics: `null` clears).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    #[serde(default, deserialize_with = "present")]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub status: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub assignee_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub due_date: Option<Option<String>>,
}

/// Tell "absent" (`None`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn field<T, E: ToString>(
    errors: &mut Vec<FieldError>,
    name: &str,
    parsed: Result<T, E>,
) -> Option<T> {
    parsed
        .map_err(|e| errors.push(FieldError::new(name, e)))
        .ok()
}

fn assignee_id(raw: &str) -> Result<UserId, &'static str> {
    UserId::parse(raw).map_err(|_| "assignee_id must be a user id")
}

impl NewTask {
    pub fn parse(body: NewTaskBody) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = field(&mut errors, "title", TaskTitle::parse(&body.title));
        let description = match body.description {
            Some(d) => field(&mut errors, "description", TaskDescription::parse(&d)).flatten(),
            None => None,
        };
        let status = match body.status {
            Some(s) => field(&mut errors, "status", TaskStatus::parse(&s)),
            None => Some(TaskStatus::Todo),
        };
        let assignee = body
            .assignee_id
            .and_then(|a| field(&mut errors, "assignee_id", assignee_id(&a)));
        let due_date = body
            .due_date
            .and_then(|d| field(&mut errors, "due_date", DueDate::parse(&d)));
        match (title, status) {
            (Some(title), Some(status)) if errors.is_empty() => Ok(NewTask {
                title,
                description,
                status,
                assignee,
                due_date,
            }),
            _ => Err(errors),
        }
    }
}

impl TaskPatch {
    pub fn parse(body: PatchBody) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut patch = TaskPatch::default();
        match body.title {
            Some(Some(t)) => patch.title = field(&mut errors, "title", TaskTitle::parse(&t)),
            Some(None) => errors.push(FieldError::new("title", "title is required")),
            None => {}
        }
        if let Some(d) = body.description {
            patch.description = match d {
                Some(d) => field(&mut errors, "description", TaskDescription::parse(&d)),
                None => Some(None),
            };
        }
        match body.status {
            Some(Some(s)) => patch.status = field(&mut errors, "status", TaskStatus::parse(&s)),
            Some(None) => errors.push(FieldError::new("status", "status is required")),
            None => {}
        }
        if let Some(a) = body.assignee_id {
            patch.assignee = match a {
                Some(a) => field(&mut errors, "assignee_id", assignee_id(&a)).map(Some),
                None => Some(None),
            };
        }
        if let Some(d) = body.due_date {
            patch.due_date = match d {
                Some(d) => field(&mut errors, "due_date", DueDate::parse(&d)).map(Some),
                None => Some(None),
            };
        }
        if errors.is_empty() && patch.is_empty() {
            errors.push(FieldError::new("body", "send at least one field to change"));
        }
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.status.is_none()
            && self.assignee.is_none()
            && self.due_date.is_none()
    }
}

/// The creator and the assignee may edit a task and move it.
pub fn may_edit(task: &TaskSnapshot, who: UserId) -> bool {
    task.created_by.id == who || task.assignee.as_ref().is_some_and(|a| a.id == who)
}

/// Only the creator may delete a task.
pub fn may_delete(task: &TaskSnapshot, who: UserId) -> bool {
    task.created_by.id == who
}

fn person(p: &Option<Person>) -> Value {
    p.as_ref().map_or(
        Value::Null,
        |p| json!({"id": p.id, "name": p.name, "email": p.email}),
    )
}

/// What changed between two snapshots of a task, field by field, as the API shows values.
pub fn changes(before: &TaskSnapshot, after: &TaskSnapshot) -> BTreeMap<String, FieldChange> {
    let mut out = BTreeMap::new();
    let mut diff = |name: &str, from: Value, to: Value| {
        if from != to {
            out.insert(name.to_owned(), FieldChange { from, to });
        }
    };
    diff("title", json!(before.title), json!(after.title));
    diff(
        "description",
        json!(before.description),
        json!(after.description),
    );
    diff("status", json!(before.status), json!(after.status));
    diff(
        "assignee",
        person(&before.assignee),
        person(&after.assignee),
    );
    diff("due_date", json!(before.due_date), json!(after.due_date));
    out
}

/// The event an edit is: a new assignee is `Task Assigned`; else a status move is
/// `Task Status Changed`; anything else `Task Updated`. `changes` always lists every field.
pub fn edit_kind(changes: &BTreeMap<String, FieldChange>) -> DetailType {
    if changes.contains_key("assignee") {
        DetailType::Assigned
    } else if changes.contains_key("status") {
        DetailType::StatusChanged
    } else {
        DetailType::Updated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: Value) -> PatchBody {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_patch_tells_absent_from_null() {
        let patch =
            TaskPatch::parse(body(json!({"description": null, "due_date": "2026-12-01"}))).unwrap();
        assert_eq!(patch.description, Some(None));
        assert!(patch.title.is_none() && patch.status.is_none() && patch.assignee.is_none());
        assert!(matches!(patch.due_date, Some(Some(_))));
    }

    #[test]
    fn a_patch_reports_every_bad_field() {
        let errors = TaskPatch::parse(body(
            json!({"title": " ", "status": "doing", "assignee_id": "x"}),
        ))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "status", "assignee_id"]);
        assert_eq!(
            TaskPatch::parse(body(json!({}))).unwrap_err()[0].field,
            "body"
        );
        assert_eq!(
            TaskPatch::parse(body(json!({"title": null}))).unwrap_err()[0].field,
            "title"
        );
    }

    #[test]
    fn a_new_task_defaults_to_todo() {
        let body: NewTaskBody = serde_json::from_value(json!({"title": "Write docs"})).unwrap();
        let task = NewTask::parse(body).unwrap();
        assert_eq!(task.status, TaskStatus::Todo);
        assert!(task.description.is_none() && task.assignee.is_none());
    }
}
