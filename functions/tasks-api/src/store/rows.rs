//! Rows of the tasks table as MySQL returns them, re-parsed into domain types on every read: a
//! row that no longer holds valid values is reported as corrupt, never shown half-parsed.

use chrono::{DateTime, NaiveDate, Utc};
use taskboard_domain::events::{Person, TaskSnapshot};
use taskboard_domain::{
    DisplayName, DueDate, EmailAddress, TaskDescription, TaskId, TaskStatus, TaskTitle, UserId,
};

use super::error::StoreError;

/// A task with its creator and assignee, read from `FROM <tasks> t` + [`JOIN_PEOPLE`].
pub const TASK_COLUMNS: &str = "t.id, t.title, t.description, t.status, t.due_date, t.created_at, t.updated_at, \
    t.version, c.id AS c_id, c.name AS c_name, c.email AS c_email, a.id AS a_id, a.name AS a_name, a.email AS a_email";
pub const JOIN_PEOPLE: &str =
    "JOIN users c ON c.id = t.created_by LEFT JOIN users a ON a.id = t.assignee_id";

/// One task by id (`?`), with its people.
pub fn select_one_task() -> String {
    format!("SELECT {TASK_COLUMNS} FROM tasks t {JOIN_PEOPLE} WHERE t.id = ?")
}

#[derive(sqlx::FromRow)]
pub struct TaskRow {
    id: String,
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
