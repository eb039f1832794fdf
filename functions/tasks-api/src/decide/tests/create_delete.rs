//! What a created or a deleted task is, and what its event says.

use super::*;

#[test]
fn a_created_task_is_version_one_and_its_event_names_the_people() {
    let p = people();
    let s = stamp();
    let change = create(
        Seen {
            task: None,
            access: access(ProjectRole::Member),
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
