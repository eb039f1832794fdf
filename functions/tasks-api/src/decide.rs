//! The task rules as pure decisions. Given what the store read inside the write's transaction
//! ([`Seen`]: the task as it is, the actor, the person a request names as assignee), the request
//! and a [`Stamp`] (the time and the new ids), each function returns the change to make (the task
//! after it, the field changes, the event) or the [`Refusal`] the API answers with a 4xx.
//!
//! Nothing here touches a database, the network or the clock, so every rule is unit-tested
//! without MariaDB (`decide/tests/`). Who may do what:
//!
//! | action | allowed to |
//! |--------|------------|
//! | create | anyone signed in; the assignee must be a registered person |
//! | edit, move | the task's creator and its assignee |
//! | delete | the task's creator |

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use taskboard_domain::events::{
    DetailType, FieldChange, Person, SCHEMA_VERSION, TaskEvent, TaskSnapshot,
};
use taskboard_domain::{TaskId, UserId};

use crate::request::{NewTask, Precondition, TaskPatch};

#[cfg(test)]
mod tests;

/// Why a write is refused. Each maps to one 4xx answer; none is a failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("task not found")]
    NotFound,
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("the task has changed (version {current})")]
    VersionMismatch { current: u32 },
    #[error("no such user to assign")]
    UnknownAssignee,
    #[error("the acting user no longer exists")]
    UnknownActor,
}

/// What the store read for a decision, inside the write's transaction.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The task as it is, locked for this write; `None`: there is no such task. Unused by create.
    pub task: Option<TaskSnapshot>,
    /// The person acting; `None`: their account no longer exists.
    pub actor: Option<Person>,
    /// The person the request names as assignee by id; `None` when it names nobody by id or
    /// nobody has that id.
    pub assignee: Option<Person>,
}

/// The time of a write and the ids it may need, chosen by the store once the task's row is locked.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub at: DateTime<Utc>,
    pub event_id: uuid::Uuid,
    /// The id a created task gets.
    pub new_task_id: TaskId,
}

impl Stamp {
    /// Now, with fresh ids. MySQL keeps microseconds: the time is cut to them, so what the API
    /// returns and publishes is what it stored.
    pub fn now() -> Self {
        let now = Utc::now();
        Self {
            at: DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now),
            event_id: uuid::Uuid::now_v7(),
            new_task_id: TaskId::new(),
        }
    }
}

/// How the store must write the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Insert,
    /// Update the row that is still at `from_version`.
    Update {
        from_version: u32,
    },
    Delete,
}

/// A change to make: the row write, the task after it (before it, for a delete), and its event.
#[derive(Debug, Clone)]
pub struct Change {
    pub write: Write,
    pub task: TaskSnapshot,
    pub event: TaskEvent,
}

/// An edit either changes something or nothing at all.
// Built once per request and moved straight into the store: boxing the larger variant would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Edit {
    /// The patch sets every field to what it already is: nothing is written, no event.
    Unchanged(TaskSnapshot),
    Changed(Change),
}

/// Create `new` as the actor.
pub fn create(seen: Seen, new: &NewTask, stamp: Stamp) -> Result<Change, Refusal> {
    let actor = seen.actor.ok_or(Refusal::UnknownActor)?;
    let assignee = match new.assignee {
        Some(id) => Some(named(seen.assignee, id)?),
        None => None,
    };
    let task = TaskSnapshot {
        id: stamp.new_task_id,
        title: new.title.clone(),
        description: new.description.clone(),
        status: new.status,
        assignee,
        due_date: new.due_date,
        created_by: actor.clone(),
        created_at: stamp.at,
        updated_at: stamp.at,
        version: 1,
    };
    let event = event(
        DetailType::Created,
        actor,
        &task,
        BTreeMap::new(),
        None,
        stamp,
    );
    Ok(Change {
        write: Write::Insert,
        task,
        event,
    })
}

/// Apply `patch` as the actor, if they may and the precondition holds.
pub fn edit(
    seen: Seen,
    actor_id: UserId,
    patch: &TaskPatch,
    precondition: &Precondition,
    stamp: Stamp,
) -> Result<Edit, Refusal> {
    let before = seen.task.ok_or(Refusal::NotFound)?;
    if !may_edit(&before, actor_id) {
        return Err(Refusal::Forbidden(
            "only the task's creator or assignee can edit it",
        ));
    }
    admit(precondition, &before)?;
    let mut after = before.clone();
    if let Some(title) = &patch.title {
        after.title = title.clone();
    }
    if let Some(description) = &patch.description {
        after.description = description.clone();
    }
    if let Some(status) = patch.status {
        after.status = status;
    }
    if let Some(due_date) = patch.due_date {
        after.due_date = due_date;
    }
    if let Some(assignee) = patch.assignee {
        after.assignee = match assignee {
            Some(id) => Some(named(seen.assignee, id)?),
            None => None,
        };
    }
    let changes = changes(&before, &after);
    if changes.is_empty() {
        return Ok(Edit::Unchanged(before));
    }
    let actor = seen.actor.ok_or(Refusal::UnknownActor)?;
    after.version = before.version + 1;
    after.updated_at = stamp.at;
    let previous = match (&before.assignee, changes.contains_key("assignee")) {
        (Some(previous), true) => Some(previous),
        _ => None,
    };
    let event = event(edit_kind(&changes), actor, &after, changes, previous, stamp);
    Ok(Edit::Changed(Change {
        write: Write::Update {
            from_version: before.version,
        },
        task: after,
        event,
    }))
}

/// Delete the task as the actor, if they may and the precondition holds.
pub fn delete(
    seen: Seen,
    actor_id: UserId,
    precondition: &Precondition,
    stamp: Stamp,
) -> Result<Change, Refusal> {
    let before = seen.task.ok_or(Refusal::NotFound)?;
    if !may_delete(&before, actor_id) {
        return Err(Refusal::Forbidden("only the task's creator can delete it"));
    }
    admit(precondition, &before)?;
    let actor = seen.actor.ok_or(Refusal::UnknownActor)?;
    let event = event(
        DetailType::Deleted,
        actor,
        &before,
        BTreeMap::new(),
        None,
        stamp,
    );
    Ok(Change {
        write: Write::Delete,
        task: before,
        event,
    })
}

/// The creator and the assignee may edit a task and move it.
pub fn may_edit(task: &TaskSnapshot, who: UserId) -> bool {
    task.created_by.id == who || task.assignee.as_ref().is_some_and(|a| a.id == who)
}

/// Only the creator may delete a task.
pub fn may_delete(task: &TaskSnapshot, who: UserId) -> bool {
    task.created_by.id == who
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
        person(before.assignee.as_ref()),
        person(after.assignee.as_ref()),
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

fn admit(precondition: &Precondition, task: &TaskSnapshot) -> Result<(), Refusal> {
    if precondition.admits(task.version) {
        Ok(())
    } else {
        Err(Refusal::VersionMismatch {
            current: task.version,
        })
    }
}

/// The person the request named by `id`, if the store found exactly them.
fn named(found: Option<Person>, id: UserId) -> Result<Person, Refusal> {
    found.filter(|p| p.id == id).ok_or(Refusal::UnknownAssignee)
}

fn person(p: Option<&Person>) -> Value {
    p.map_or(
        Value::Null,
        |p| json!({"id": p.id, "name": p.name, "email": p.email}),
    )
}

fn event(
    kind: DetailType,
    actor: Person,
    task: &TaskSnapshot,
    changes: BTreeMap<String, FieldChange>,
    previous_assignee: Option<&Person>,
    stamp: Stamp,
) -> TaskEvent {
    TaskEvent {
        event_id: stamp.event_id,
        schema_version: SCHEMA_VERSION,
        detail_type: kind,
        occurred_at: task.updated_at.max(stamp.at),
        actor,
        recipients: TaskEvent::concerned(task, previous_assignee),
        task: task.clone(),
        changes,
    }
}
