//! What an edit changed, field by field, and which event kind that makes: the `changes` of the
//! event contract (`docs/events.md`).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use taskboard_domain::events::{DetailType, FieldChange, Person, TaskSnapshot};

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

fn person(p: Option<&Person>) -> Value {
    p.map_or(
        Value::Null,
        |p| json!({"id": p.id, "name": p.name, "email": p.email}),
    )
}
