//! The task rules as pure decisions. Given what the store read inside the write's transaction
//! ([`Seen`]: the task as it is, the actor, the person a request names as assignee), the request
//! and a [`Stamp`] (the time and the new ids), each function returns the change to make (the task
//! after it, the field changes, the event) or the [`Refusal`] the API answers with a 4xx.
//!
//! Nothing here touches a database, the network or the clock, so every rule is unit-tested
//! without MariaDB (`decide/tests/`). Who may do what:
//!
//! Everything happens inside one project, and only its active members take part: to anyone else
//! the project and its tasks do not exist (404, `docs/decisions.md#11-projects-are-the-unit-of-access`).
//!
//! | action | allowed to |
//! |--------|------------|
//! | create | any member; the assignee must be a member too |
//! | edit, move | the project's owners, the task's creator and its assignee |
//! | delete | the project's owners and the task's creator |
//!
//! An archived project's tasks can be read, not written.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use taskboard_domain::events::{
    DetailType, FieldChange, Person, SCHEMA_VERSION, TaskEvent, TaskSnapshot,
};
use taskboard_domain::{ProjectRef, ProjectRole, TaskId, UserId};

use crate::diff::{changes, edit_kind};
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
    #[error("the project is archived")]
    Archived,
}

/// The acting person's place in the project a write concerns, read in the write's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub project: ProjectRef,
    pub role: ProjectRole,
    pub archived: bool,
}

/// What the store read for a decision, inside the write's transaction.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The task as it is, locked for this write; `None`: there is no such task. Unused by create.
    pub task: Option<TaskSnapshot>,
    /// The actor's membership of the project; `None`: they are not an active member of it (or
    /// it does not exist), which is answered exactly like a task that does not exist.
    pub access: Option<Access>,
    /// The person acting; `None`: their account no longer exists.
    pub actor: Option<Person>,
    /// The person the request names as assignee by id; `None` when it names nobody by id or
    /// nobody who is an active member of the project has that id.
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
        Self {
            at: taskboard_domain::time::now_micros(),
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
    let access = seen.access.ok_or(Refusal::NotFound)?;
    if access.archived {
        return Err(Refusal::Archived);
    }
    let actor = seen.actor.ok_or(Refusal::UnknownActor)?;
    let assignee = match new.assignee {
        Some(id) => Some(named(seen.assignee, id)?),
        None => None,
    };
    let task = TaskSnapshot {
        id: stamp.new_task_id,
        project_id: access.project.id,
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
        access.project,
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
    let access = seen.access.ok_or(Refusal::NotFound)?;
    if !may_edit(&before, actor_id, access.role) {
        return Err(Refusal::Forbidden(
            "only the task's creator or assignee, or a project owner, can edit it",
        ));
    }
    if access.archived {
        return Err(Refusal::Archived);
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
    let event = event(
        edit_kind(&changes),
        actor,
        access.project,
        &after,
        changes,
        previous,
        stamp,
    );
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
    let access = seen.access.ok_or(Refusal::NotFound)?;
    if !may_delete(&before, actor_id, access.role) {
        return Err(Refusal::Forbidden(
            "only the task's creator, or a project owner, can delete it",
        ));
    }
    if access.archived {
        return Err(Refusal::Archived);
    }
    admit(precondition, &before)?;
    let actor = seen.actor.ok_or(Refusal::UnknownActor)?;
    let event = event(
        DetailType::Deleted,
        actor,
        access.project,
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

/// Owners, the creator and the assignee may edit a task and move it.
pub fn may_edit(task: &TaskSnapshot, who: UserId, role: ProjectRole) -> bool {
    role == ProjectRole::Owner
        || task.created_by.id == who
        || task.assignee.as_ref().is_some_and(|a| a.id == who)
}

/// Owners and the creator may delete a task.
pub fn may_delete(task: &TaskSnapshot, who: UserId, role: ProjectRole) -> bool {
    role == ProjectRole::Owner || task.created_by.id == who
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

fn event(
    kind: DetailType,
    actor: Person,
    project: ProjectRef,
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
        project,
        recipients: TaskEvent::concerned(task, previous_assignee),
        task: task.clone(),
        changes,
    }
}

/// Take `seen.task` off its assignee as part of someone leaving the project or the site. It is
/// an owner's or an administrator's act (checked by the caller), so it is decided with an owner's
/// authority and applies even in an archived project; like any change it is logged and e-mailed.
pub fn unassign(
    mut seen: Seen,
    actor: UserId,
    project: ProjectRef,
    stamp: Stamp,
) -> Result<Edit, Refusal> {
    seen.access = Some(Access {
        project,
        role: ProjectRole::Owner,
        archived: false,
    });
    let patch = TaskPatch {
        assignee: Some(None),
        ..TaskPatch::default()
    };
    edit(seen, actor, &patch, &Precondition::None, stamp)
}
