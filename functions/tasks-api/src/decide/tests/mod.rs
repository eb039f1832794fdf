//! The task rules, exhaustively, with no database: the permission matrix, preconditions and the
//! order of refusals (`guards`), every field change and the event kind it makes (`edits`), and
//! what a created or deleted task publishes (`create_delete`). Shared fixtures are here.

mod create_delete;
mod edits;
mod guards;

use chrono::TimeZone;
use taskboard_domain::events::Role;
use taskboard_domain::{
    DisplayName, DueDate, EmailAddress, ProjectId, ProjectName, TaskDescription, TaskStatus,
    TaskTitle,
};

pub(super) use super::*;

pub(super) fn person(name: &str) -> Person {
    Person {
        id: UserId::new(),
        name: DisplayName::parse(name).unwrap(),
        email: EmailAddress::parse(&format!("{}@example.com", name.to_lowercase())).unwrap(),
    }
}

pub(super) fn stamp() -> Stamp {
    Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap(),
        event_id: uuid::Uuid::now_v7(),
        new_task_id: TaskId::new(),
    }
}

pub(super) struct People {
    pub(super) creator: Person,
    pub(super) assignee: Person,
    pub(super) other: Person,
}

pub(super) fn people() -> People {
    People {
        creator: person("Ada"),
        assignee: person("Bob"),
        other: person("Eve"),
    }
}

/// A task Ada created and Bob is assigned to, at version 3.
pub(super) fn task(p: &People) -> TaskSnapshot {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    TaskSnapshot {
        id: TaskId::new(),
        project_id: project().id,
        title: TaskTitle::parse("Write the docs").unwrap(),
        description: None,
        status: TaskStatus::Todo,
        assignee: Some(p.assignee.clone()),
        due_date: None,
        created_by: p.creator.clone(),
        created_at: at,
        updated_at: at,
        version: 3,
    }
}

/// The one project every fixture task is in.
pub(super) fn project() -> ProjectRef {
    static ID: std::sync::OnceLock<ProjectId> = std::sync::OnceLock::new();
    ProjectRef {
        id: *ID.get_or_init(ProjectId::new),
        name: ProjectName::parse("Apollo").unwrap(),
    }
}

/// Membership of the fixture project as `role`.
pub(super) fn access(role: ProjectRole) -> Option<Access> {
    Some(Access {
        project: project(),
        role,
        archived: false,
    })
}

/// What the store sees for `actor` (a plain member) acting on `task`.
pub(super) fn seen(task: &TaskSnapshot, actor: &Person) -> Seen {
    Seen {
        task: Some(task.clone()),
        access: access(ProjectRole::Member),
        actor: Some(actor.clone()),
        assignee: None,
    }
}

pub(super) fn status(to: TaskStatus) -> TaskPatch {
    TaskPatch {
        status: Some(to),
        ..TaskPatch::default()
    }
}

pub(super) fn changed(edit: Result<Edit, Refusal>) -> Change {
    match edit {
        Ok(Edit::Changed(change)) => change,
        other => panic!("expected a change, got {other:?}"),
    }
}

pub(super) fn new_task(assignee: Option<UserId>) -> NewTask {
    NewTask {
        project: project().id,
        title: TaskTitle::parse("Plan the release").unwrap(),
        description: None,
        status: TaskStatus::Todo,
        assignee,
        due_date: None,
    }
}
