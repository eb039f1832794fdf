//! Every field change, the event kind it makes, and edits that change nothing.

use super::*;
use serde_json::{Value, json};

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
