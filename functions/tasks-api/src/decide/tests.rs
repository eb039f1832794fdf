//! The task rules, exhaustively, with no database: the permission matrix, every field change and
//! the event kind it makes, preconditions, and the order in which refusals are given.

use chrono::TimeZone;
use taskboard_domain::events::Role;
use taskboard_domain::{
    DisplayName, DueDate, EmailAddress, TaskDescription, TaskStatus, TaskTitle,
};

use super::*;

fn person(name: &str) -> Person {
    Person {
        id: UserId::new(),
        name: DisplayName::parse(name).unwrap(),
        email: EmailAddress::parse(&format!("{}@example.com", name.to_lowercase())).unwrap(),
    }
}

fn stamp() -> Stamp {
    Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap(),
        event_id: uuid::Uuid::now_v7(),
        new_task_id: TaskId::new(),
    }
}

struct People {
    creator: Person,
    assignee: Person,
    other: Person,
}

fn people() -> People {
    People {
        creator: person("Ada"),
        assignee: person("Bob"),
        other: person("Eve"),
    }
}

/// A task Ada created and Bob is assigned to, at version 3.
fn task(p: &People) -> TaskSnapshot {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    TaskSnapshot {
        id: TaskId::new(),
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

fn seen(task: &TaskSnapshot, actor: &Person) -> Seen {
    Seen {
        task: Some(task.clone()),
        actor: Some(actor.clone()),
        assignee: None,
    }
}

fn status(to: TaskStatus) -> TaskPatch {
    TaskPatch {
        status: Some(to),
        ..TaskPatch::default()
    }
}

fn changed(edit: Result<Edit, Refusal>) -> Change {
    match edit {
        Ok(Edit::Changed(change)) => change,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn the_permission_matrix() {
    let p = people();
    let t = task(&p);
    let patch = status(TaskStatus::Done);
    // (who, may edit, may delete)
    let matrix = [
        (&p.creator, true, true),
        (&p.assignee, true, false),
        (&p.other, false, false),
    ];
    for (who, may_edit, may_delete) in matrix {
        let edited = edit(seen(&t, who), who.id, &patch, &Precondition::None, stamp());
        assert_eq!(edited.is_ok(), may_edit, "{} editing", who.name);
        if !may_edit {
            assert!(matches!(edited, Err(Refusal::Forbidden(_))));
        }
        let deleted = delete(seen(&t, who), who.id, &Precondition::None, stamp());
        assert_eq!(deleted.is_ok(), may_delete, "{} deleting", who.name);
        if !may_delete {
            assert!(matches!(deleted, Err(Refusal::Forbidden(_))));
        }
    }
    // Nobody but the creator edits a task with no assignee.
    let unassigned = TaskSnapshot {
        assignee: None,
        ..t.clone()
    };
    assert!(!super::may_edit(&unassigned, p.assignee.id));
    assert!(super::may_edit(&unassigned, p.creator.id));
}

#[test]
fn every_field_change_is_recorded_and_makes_its_event_kind() {
    let p = people();
    let t = task(&p);
    let due = DueDate::parse("2026-12-24").unwrap();
    let cases: Vec<(TaskPatch, &[&str], DetailType)> = vec![
        (
            TaskPatch {
                title: Some(TaskTitle::parse("Write better docs").unwrap()),
                ..TaskPatch::default()
            },
            &["title"],
            DetailType::Updated,
        ),
        (
            TaskPatch {
                description: Some(TaskDescription::parse("All of them").unwrap()),
                ..TaskPatch::default()
            },
            &["description"],
            DetailType::Updated,
        ),
        (
            TaskPatch {
                due_date: Some(Some(due)),
                ..TaskPatch::default()
            },
            &["due_date"],
            DetailType::Updated,
        ),
        (
            status(TaskStatus::InProgress),
            &["status"],
            DetailType::StatusChanged,
        ),
        (
            TaskPatch {
                assignee: Some(None),
                ..TaskPatch::default()
            },
            &["assignee"],
            DetailType::Assigned,
        ),
        // A reassignment with a status move is an assignment; both changes are listed.
        (
            TaskPatch {
                assignee: Some(None),
                status: Some(TaskStatus::Done),
                ..TaskPatch::default()
            },
            &["assignee", "status"],
            DetailType::Assigned,
        ),
        (
            TaskPatch {
                title: Some(TaskTitle::parse("Renamed").unwrap()),
                status: Some(TaskStatus::Done),
                ..TaskPatch::default()
            },
            &["status", "title"],
            DetailType::StatusChanged,
        ),
    ];
    for (patch, fields, kind) in cases {
        let s = stamp();
        let change = changed(edit(
            seen(&t, &p.creator),
            p.creator.id,
            &patch,
            &Precondition::None,
            s,
        ));
        let listed: Vec<&str> = change.event.changes.keys().map(String::as_str).collect();
        assert_eq!(listed, fields, "{patch:?}");
        assert_eq!(change.event.detail_type, kind, "{patch:?}");
        assert_eq!(change.write, Write::Update { from_version: 3 }, "{patch:?}");
        assert_eq!(change.task.version, 4);
        assert_eq!(change.task.updated_at, s.at);
        assert_eq!(change.event.task, change.task);
        assert_eq!(change.event.event_id, s.event_id);
        assert_eq!(change.event.actor, p.creator);
    }
}

#[test]
fn changes_show_values_as_the_api_does() {
    let p = people();
    let t = task(&p);
    let change = changed(edit(
        seen(&t, &p.assignee),
        p.assignee.id,
        &TaskPatch {
            status: Some(TaskStatus::InProgress),
            assignee: Some(None),
            ..TaskPatch::default()
        },
        &Precondition::None,
        stamp(),
    ));
    let status = &change.event.changes["status"];
    assert_eq!(
        (status.from.clone(), status.to.clone()),
        (json!("todo"), json!("in_progress"))
    );
    let assignee = &change.event.changes["assignee"];
    assert_eq!(assignee.from["id"], json!(p.assignee.id));
    assert_eq!(assignee.from["name"], json!("Bob"));
    assert_eq!(assignee.to, Value::Null);
}

#[test]
fn a_patch_that_changes_nothing_writes_nothing() {
    let p = people();
    let t = task(&p);
    let same = TaskPatch {
        title: Some(t.title.clone()),
        status: Some(t.status),
        due_date: Some(None),
        ..TaskPatch::default()
    };
    match edit(
        seen(&t, &p.creator),
        p.creator.id,
        &same,
        &Precondition::None,
        stamp(),
    ) {
        Ok(Edit::Unchanged(task)) => assert_eq!(task, t),
        other => panic!("expected no change, got {other:?}"),
    }
    // Re-assigning the current assignee is no change either.
    let reassign = TaskPatch {
        assignee: Some(Some(p.assignee.id)),
        ..TaskPatch::default()
    };
    let with_named = Seen {
        assignee: Some(p.assignee.clone()),
        ..seen(&t, &p.creator)
    };
    assert!(matches!(
        edit(
            with_named,
            p.creator.id,
            &reassign,
            &Precondition::None,
            stamp()
        ),
        Ok(Edit::Unchanged(_))
    ));
}

#[test]
fn reassignment_tells_the_previous_assignee() {
    let p = people();
    let t = task(&p);
    let patch = TaskPatch {
        assignee: Some(Some(p.other.id)),
        ..TaskPatch::default()
    };
    let with_named = Seen {
        assignee: Some(p.other.clone()),
        ..seen(&t, &p.creator)
    };
    let change = changed(edit(
        with_named,
        p.creator.id,
        &patch,
        &Precondition::None,
        stamp(),
    ));
    assert_eq!(change.task.assignee, Some(p.other.clone()));
    let roles: Vec<(UserId, Vec<Role>)> = change
        .event
        .recipients
        .iter()
        .map(|r| (r.person.id, r.roles.clone()))
        .collect();
    assert_eq!(
        roles,
        [
            (p.creator.id, vec![Role::Creator]),
            (p.other.id, vec![Role::Assignee]),
            (p.assignee.id, vec![Role::PreviousAssignee]),
        ]
    );
}

#[test]
fn an_unknown_assignee_is_refused() {
    let p = people();
    let t = task(&p);
    let patch = TaskPatch {
        assignee: Some(Some(p.other.id)),
        ..TaskPatch::default()
    };
    // Nobody found, or somebody else found: both refuse.
    for found in [None, Some(p.assignee.clone())] {
        let s = Seen {
            assignee: found,
            ..seen(&t, &p.creator)
        };
        assert_eq!(
            edit(s, p.creator.id, &patch, &Precondition::None, stamp()).unwrap_err(),
            Refusal::UnknownAssignee
        );
    }
    let new = new_task(Some(p.other.id));
    let s = Seen {
        task: None,
        actor: Some(p.creator.clone()),
        assignee: None,
    };
    assert_eq!(
        create(s, &new, stamp()).unwrap_err(),
        Refusal::UnknownAssignee
    );
}

#[test]
fn preconditions_guard_edits_and_deletes() {
    let p = people();
    let t = task(&p);
    let patch = status(TaskStatus::Done);
    let cases = [
        (Precondition::None, true),
        (Precondition::Any, true),
        (Precondition::Versions(vec![3]), true),
        (Precondition::Versions(vec![1, 3]), true),
        (Precondition::Versions(vec![2]), false),
        (Precondition::Never, false),
    ];
    for (precondition, admitted) in cases {
        let edited = edit(
            seen(&t, &p.creator),
            p.creator.id,
            &patch,
            &precondition,
            stamp(),
        );
        let deleted = delete(seen(&t, &p.creator), p.creator.id, &precondition, stamp());
        for outcome in [edited.map(|_| ()), deleted.map(|_| ())] {
            match admitted {
                true => assert_eq!(outcome, Ok(())),
                false => assert_eq!(outcome, Err(Refusal::VersionMismatch { current: 3 })),
            }
        }
    }
}

#[test]
fn refusals_come_in_a_fixed_order() {
    let p = people();
    let t = task(&p);
    let bad_everything = TaskPatch {
        assignee: Some(Some(p.other.id)),
        ..TaskPatch::default()
    };
    let stale = Precondition::Versions(vec![1]);
    // Missing task first, whoever asks and however.
    let none = Seen::default();
    assert_eq!(
        edit(none.clone(), p.other.id, &bad_everything, &stale, stamp()).unwrap_err(),
        Refusal::NotFound
    );
    assert_eq!(
        delete(none, p.other.id, &stale, stamp()).unwrap_err(),
        Refusal::NotFound
    );
    // Then permission, before the version: a stranger learns nothing about versions.
    assert!(matches!(
        edit(
            seen(&t, &p.other),
            p.other.id,
            &bad_everything,
            &stale,
            stamp()
        ),
        Err(Refusal::Forbidden(_))
    ));
    // Then the version, before the assignee.
    assert_eq!(
        edit(
            seen(&t, &p.creator),
            p.creator.id,
            &bad_everything,
            &stale,
            stamp()
        )
        .unwrap_err(),
        Refusal::VersionMismatch { current: 3 }
    );
    // An actor whose account is gone is refused only when something would be written.
    let ghost = Seen {
        actor: None,
        ..seen(&t, &p.creator)
    };
    assert_eq!(
        edit(
            ghost.clone(),
            p.creator.id,
            &status(TaskStatus::Done),
            &Precondition::None,
            stamp()
        )
        .unwrap_err(),
        Refusal::UnknownActor
    );
    assert!(matches!(
        edit(
            ghost.clone(),
            p.creator.id,
            &status(TaskStatus::Todo),
            &Precondition::None,
            stamp()
        ),
        Ok(Edit::Unchanged(_))
    ));
    assert_eq!(
        delete(ghost, p.creator.id, &Precondition::None, stamp()).unwrap_err(),
        Refusal::UnknownActor
    );
    assert_eq!(
        create(Seen::default(), &new_task(None), stamp()).unwrap_err(),
        Refusal::UnknownActor
    );
}

fn new_task(assignee: Option<UserId>) -> NewTask {
    NewTask {
        title: TaskTitle::parse("Plan the release").unwrap(),
        description: None,
        status: TaskStatus::Todo,
        assignee,
        due_date: None,
    }
}

#[test]
fn a_created_task_is_version_one_and_its_event_names_the_people() {
    let p = people();
    let s = stamp();
    let change = create(
        Seen {
            task: None,
            actor: Some(p.creator.clone()),
            assignee: Some(p.assignee.clone()),
        },
        &new_task(Some(p.assignee.id)),
        s,
    )
    .unwrap();
    assert_eq!(change.write, Write::Insert);
    assert_eq!(change.task.id, s.new_task_id);
    assert_eq!(change.task.version, 1);
    assert_eq!(
        (change.task.created_at, change.task.updated_at),
        (s.at, s.at)
    );
    assert_eq!(change.task.created_by, p.creator);
    assert_eq!(change.task.assignee, Some(p.assignee.clone()));
    assert_eq!(change.event.detail_type, DetailType::Created);
    assert!(change.event.changes.is_empty());
    assert_eq!(change.event.occurred_at, s.at);
    let ids: Vec<UserId> = change
        .event
        .recipients
        .iter()
        .map(|r| r.person.id)
        .collect();
    assert_eq!(ids, [p.creator.id, p.assignee.id]);
}

#[test]
fn a_deleted_task_is_published_as_it_was() {
    let p = people();
    let t = task(&p);
    let s = stamp();
    let change = delete(seen(&t, &p.creator), p.creator.id, &Precondition::Any, s).unwrap();
    assert_eq!(change.write, Write::Delete);
    assert_eq!(change.task, t);
    assert_eq!(change.event.detail_type, DetailType::Deleted);
    assert_eq!(change.event.task, t);
    assert!(change.event.changes.is_empty());
    assert_eq!(change.event.occurred_at, s.at);
}
