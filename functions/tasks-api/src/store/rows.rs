//! Rows of the tasks table as MySQL returns them, re-parsed into domain types on every read: a
//! row that no longer holds valid values is reported as corrupt, never shown half-parsed.

use chrono::{DateTime, NaiveDate, Utc};
use taskboard_domain::events::{Person, TaskSnapshot};
use taskboard_domain::{
    DisplayName, DueDate, EmailAddress, ProjectId, TaskDescription, TaskId, TaskStatus, TaskTitle,
    UserId,
};

use super::error::StoreError;

/// A task with its creator and assignee, read from `FROM <tasks> t` + [`JOIN_PEOPLE`].
pub const TASK_COLUMNS: &str = "t.id, t.project_id, t.title, t.description, t.status, t.due_date, t.created_at, t.updated_at, \
    t.version, c.id AS c_id, c.name AS c_name, c.email AS c_email, a.id AS a_id, a.name AS a_name, a.email AS a_email";
pub const JOIN_PEOPLE: &str =
    "JOIN users c ON c.id = t.created_by LEFT JOIN users a ON a.id = t.assignee_id";

/// Joined to `tasks t`: only rows of a project the viewer (`?`) is an active member of. The
/// membership check is part of the query that reads the task, never a second round trip.
pub const VISIBLE_TO: &str = "JOIN project_members pm ON pm.project_id = t.project_id AND pm.user_id = ? \
    JOIN users me ON me.id = pm.user_id AND me.deactivated_at IS NULL";

/// One task by id (`?`), with its people, whoever asks (the write path, after its own checks).
pub fn select_one_task() -> String {
    format!("SELECT {TASK_COLUMNS} FROM tasks t {JOIN_PEOPLE} WHERE t.id = ?")
}

/// One task by viewer (`?`) and id (`?`), if the viewer is a member of its project.
pub fn select_visible_task() -> String {
    format!("SELECT {TASK_COLUMNS} FROM tasks t {VISIBLE_TO} {JOIN_PEOPLE} WHERE t.id = ?")
}

#[derive(sqlx::FromRow)]
pub struct TaskRow {
    id: String,
    project_id: String,
    title: String,
    description: Option<String>,
    status: String,
    due_date: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: u32,
    c_id: String,
    c_name: String,
    c_email: String,
    a_id: Option<String>,
    a_name: Option<String>,
    a_email: Option<String>,
}

/// A person from their stored id, name and address.
pub fn person(id: &str, name: &str, email: &str) -> Result<Person, String> {
    Ok(Person {
        id: UserId::parse(id).map_err(|e| e.to_string())?,
        name: DisplayName::parse(name).map_err(|e| e.to_string())?,
        email: EmailAddress::parse(email).map_err(|e| e.to_string())?,
    })
}

impl TryFrom<TaskRow> for TaskSnapshot {
    type Error = StoreError;
    fn try_from(r: TaskRow) -> Result<Self, StoreError> {
        let bad = |what: String| StoreError::Corrupt(format!("task {}: {what}", r.id));
        let assignee = match (&r.a_id, &r.a_name, &r.a_email) {
            (Some(id), Some(name), Some(email)) => Some(person(id, name, email).map_err(bad)?),
            _ => None,
        };
        Ok(TaskSnapshot {
            id: TaskId::parse(&r.id).map_err(|e| bad(e.to_string()))?,
            project_id: ProjectId::parse(&r.project_id).map_err(|e| bad(e.to_string()))?,
            title: TaskTitle::parse(&r.title).map_err(|e| bad(e.to_string()))?,
            description: match &r.description {
                Some(d) => TaskDescription::parse(d).map_err(|e| bad(e.to_string()))?,
                None => None,
            },
            status: TaskStatus::parse(&r.status).map_err(|e| bad(e.to_string()))?,
            assignee,
            due_date: r
                .due_date
                .map(DueDate::from_date)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            created_by: person(&r.c_id, &r.c_name, &r.c_email).map_err(bad)?,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
    }
}
