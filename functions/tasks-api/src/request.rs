//! What a valid request is, before anything is read or written: the bodies that create and edit
//! a task, the list's query (filters, page size, cursor), and the `If-Match` precondition. Each
//! parser reports every invalid field at once, as [`FieldError`]s the API shows in a 422.

pub use crate::precondition::Precondition;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use taskboard_domain::{
    DueDate, FieldError, ProjectId, TaskDescription, TaskId, TaskStatus, TaskTitle, UserId,
};

/// A new task, every field valid. The assignee is a well-formed id; whether that person exists
/// is decided inside the write's transaction (`decide.rs`).
#[derive(Debug, Clone)]
pub struct NewTask {
    pub project: ProjectId,
    pub title: TaskTitle,
    pub description: Option<TaskDescription>,
    pub status: TaskStatus,
    pub assignee: Option<UserId>,
    pub due_date: Option<DueDate>,
}

/// An edit: `None` leaves a field alone; `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub title: Option<TaskTitle>,
    pub description: Option<Option<TaskDescription>>,
    pub status: Option<TaskStatus>,
    pub assignee: Option<Option<UserId>>,
    pub due_date: Option<Option<DueDate>>,
}

/// The JSON a client sends to create a task.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    #[serde(default)]
    pub project_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Left out: `todo`; `null` is refused, as in an edit.
    #[serde(default, deserialize_with = "taskboard_http::present")]
    pub status: Option<Option<String>>,
    #[serde(default)]
    pub assignee_id: Option<String>,
    #[serde(default)]
    pub due_date: Option<String>,
}

/// The JSON a client sends to edit a task (JSON merge-patch semantics: `null` clears).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    #[serde(default, deserialize_with = "taskboard_http::present")]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "taskboard_http::present")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "taskboard_http::present")]
    pub status: Option<Option<String>>,
    #[serde(default, deserialize_with = "taskboard_http::present")]
    pub assignee_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "taskboard_http::present")]
    pub due_date: Option<Option<String>>,
}

fn field<T, E: ToString>(
    errors: &mut Vec<FieldError>,
    name: &str,
    parsed: Result<T, E>,
) -> Option<T> {
    parsed
        .map_err(|e| errors.push(FieldError::new(name, e)))
        .ok()
}

fn assignee_id(raw: &str) -> Result<UserId, &'static str> {
    UserId::parse(raw).map_err(|_| "assignee_id must be a user id")
}

impl NewTask {
    pub fn parse(body: NewTaskBody) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let project = match body.project_id.as_deref() {
            Some(p) => field(
                &mut errors,
                "project_id",
                ProjectId::parse(p).map_err(|_| "project_id must be a project id"),
            ),
            None => {
                errors.push(FieldError::new("project_id", "project_id is required"));
                None
            }
        };
        let title = field(&mut errors, "title", TaskTitle::parse(&body.title));
        let description = match body.description {
            Some(d) => field(&mut errors, "description", TaskDescription::parse(&d)).flatten(),
            None => None,
        };
        let status = match body.status {
            Some(Some(s)) => field(&mut errors, "status", TaskStatus::parse(&s)),
            Some(None) => {
                errors.push(FieldError::new("status", "status must not be null"));
                None
            }
            None => Some(TaskStatus::Todo),
        };
        let assignee = body
            .assignee_id
            .and_then(|a| field(&mut errors, "assignee_id", assignee_id(&a)));
        let due_date = body
            .due_date
            .and_then(|d| field(&mut errors, "due_date", DueDate::parse(&d)));
        match (project, title, status) {
            (Some(project), Some(title), Some(status)) if errors.is_empty() => Ok(NewTask {
                project,
                title,
                description,
                status,
                assignee,
                due_date,
            }),
            _ => Err(errors),
        }
    }
}

impl TaskPatch {
    pub fn parse(body: PatchBody) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut patch = TaskPatch::default();
        match body.title {
            Some(Some(t)) => patch.title = field(&mut errors, "title", TaskTitle::parse(&t)),
            Some(None) => errors.push(FieldError::new("title", "title is required")),
            None => {}
        }
        if let Some(d) = body.description {
            patch.description = match d {
                Some(d) => field(&mut errors, "description", TaskDescription::parse(&d)),
                None => Some(None),
            };
        }
        match body.status {
            Some(Some(s)) => patch.status = field(&mut errors, "status", TaskStatus::parse(&s)),
            Some(None) => errors.push(FieldError::new("status", "status is required")),
            None => {}
        }
        if let Some(a) = body.assignee_id {
            patch.assignee = match a {
                Some(a) => field(&mut errors, "assignee_id", assignee_id(&a)).map(Some),
                None => Some(None),
            };
        }
        if let Some(d) = body.due_date {
            patch.due_date = match d {
                Some(d) => field(&mut errors, "due_date", DueDate::parse(&d)).map(Some),
                None => Some(None),
            };
        }
        if errors.is_empty() && patch.is_empty() {
            errors.push(FieldError::new("body", "send at least one field to change"));
        }
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }

    /// The person the patch assigns by id, if any: the store looks them up for the decision.
    pub fn named_assignee(&self) -> Option<UserId> {
        self.assignee.flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.status.is_none()
            && self.assignee.is_none()
            && self.due_date.is_none()
    }
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<TaskStatus>,
    pub assignee: Option<AssigneeFilter>,
    pub created_by: Option<UserId>,
}

#[derive(Debug, Clone, Copy)]
pub enum AssigneeFilter {
    User(UserId),
    Nobody,
}

/// The list's query string, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub project: Option<String>,
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub created_by: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// A valid list request: what to show, where to start, how many.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// One project's tasks; `None`: every project the viewer is in.
    pub project: Option<ProjectId>,
    pub filter: ListFilter,
    /// Start after this task (the cursor of the previous page).
    pub after: Option<TaskId>,
    pub limit: u32,
}

impl ListQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 100;

    /// Parse the query of `me`'s request (`me` is what `assignee=me` and `created_by=me` mean).
    pub fn parse(params: ListParams, me: UserId) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut filter = ListFilter::default();
        let project = params.project.as_deref().and_then(|p| {
            field(
                &mut errors,
                "project",
                ProjectId::parse(p).map_err(|_| "project must be a project id"),
            )
        });
        if let Some(status) = params.status.as_deref() {
            filter.status = field(&mut errors, "status", TaskStatus::parse(status));
        }
        if let Some(assignee) = params.assignee.as_deref() {
            filter.assignee = match assignee {
                "me" => Some(AssigneeFilter::User(me)),
                "none" => Some(AssigneeFilter::Nobody),
                id => field(
                    &mut errors,
                    "assignee",
                    UserId::parse(id).map_err(|_| "assignee must be me, none, or a user id"),
                )
                .map(AssigneeFilter::User),
            };
        }
        if let Some(created_by) = params.created_by.as_deref() {
            filter.created_by = match created_by {
                "me" => Some(me),
                id => field(
                    &mut errors,
                    "created_by",
                    UserId::parse(id).map_err(|_| "created_by must be me or a user id"),
                ),
            };
        }
        let limit = match params.limit.as_deref().map(str::parse::<u32>) {
            None => Self::DEFAULT_LIMIT,
            Some(Ok(n)) if (1..=Self::MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::new(
                    "limit",
                    format!("limit must be a whole number from 1 to {}", Self::MAX_LIMIT),
                ));
                Self::DEFAULT_LIMIT
            }
        };
        let after = params.cursor.as_deref().and_then(|cursor| {
            field(
                &mut errors,
                "cursor",
                Cursor::decode(cursor).ok_or("cursor is not one this API returned"),
            )
        });
        if errors.is_empty() {
            Ok(Self {
                project,
                filter,
                after,
                limit,
            })
        } else {
            Err(errors)
        }
    }
}

/// The opaque cursor of a list page: the last task's id, its 16 bytes in base64url (22
/// characters, `^[A-Za-z0-9_-]{21}[AQgw]$` as docs/openapi.json says). Any such string is a
/// cursor: the page starts after that id. Clients pass it back as is.
pub struct Cursor;

impl Cursor {
    pub fn encode(after: TaskId) -> String {
        URL_SAFE_NO_PAD.encode(after.as_bytes())
    }

    pub fn decode(cursor: &str) -> Option<TaskId> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        Some(TaskId::from_bytes(bytes.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests;
