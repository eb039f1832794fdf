//! Who may edit and delete, preconditions, and the order in which refusals are given.

use super::*;

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
    assert!(!super::may_edit(
        &unassigned,
        p.assignee.id,
        ProjectRole::Member
    ));
    assert!(super::may_edit(
        &unassigned,
        p.creator.id,
        ProjectRole::Member
    ));
}

#[test]
fn owners_edit_and_delete_any_task_of_their_project() {
    let p = people();
    let t = task(&p);
    let as_owner = Seen {
        access: access(ProjectRole::Owner),
        ..seen(&t, &p.other)
    };
    let patch = status(TaskStatus::Done);
    assert!(
        edit(
            as_owner.clone(),
            p.other.id,
            &patch,
            &Precondition::None,
            stamp()
        )
        .is_ok()
    );
    let deleted = delete(as_owner, p.other.id, &Precondition::None, stamp()).unwrap();
    assert_eq!(deleted.event.project, project());
}

#[test]
fn outsiders_see_no_task_and_archived_projects_take_no_writes() {
    let p = people();
    let t = task(&p);
    let patch = status(TaskStatus::Done);
    // Not a member, even as the task's creator (removed from the project): as if no such task.
    let outsider = Seen {
        access: None,
        ..seen(&t, &p.creator)
    };
    assert_eq!(
        edit(
            outsider.clone(),
            p.creator.id,
            &patch,
            &Precondition::None,
            stamp()
        )
        .unwrap_err(),
        Refusal::NotFound
    );
    assert_eq!(
        delete(outsider.clone(), p.creator.id, &Precondition::None, stamp()).unwrap_err(),
        Refusal::NotFound
    );
    assert_eq!(
        create(outsider, &new_task(None), stamp()).unwrap_err(),
        Refusal::NotFound
    );
    let archived = Seen {
        access: Some(Access {
            archived: true,
            ..access(ProjectRole::Owner).unwrap()
        }),
        ..seen(&t, &p.creator)
    };
    assert_eq!(
        edit(
            archived.clone(),
            p.creator.id,
            &patch,
            &Precondition::None,
            stamp()
        )
        .unwrap_err(),
        Refusal::Archived
    );
    assert_eq!(
        create(archived, &new_task(None), stamp()).unwrap_err(),
        Refusal::Archived
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
    // Creating needs a project the actor is in before anything else.
    assert_eq!(
        create(Seen::default(), &new_task(None), stamp()).unwrap_err(),
        Refusal::NotFound
    );
    let no_actor = Seen {
        access: access(ProjectRole::Member),
        ..Seen::default()
    };
    assert_eq!(
        create(no_actor, &new_task(None), stamp()).unwrap_err(),
        Refusal::UnknownActor
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
        access: access(ProjectRole::Member),
        actor: Some(p.creator.clone()),
        assignee: None,
    };
    assert_eq!(
        create(s, &new, stamp()).unwrap_err(),
        Refusal::UnknownAssignee
    );
}
