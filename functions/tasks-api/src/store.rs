//! Tasks in MySQL. Every write commits the task row and its outbox event in ONE transaction
//! (DESIGN decision 4), so no change can exist without its event, or an event without its change.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{MySql, MySqlPool, QueryBuilder, Transaction};
use taskboard_core::domain::{
    DisplayName, DueDate, EmailAddress, TaskDescription, TaskId, TaskStatus, TaskTitle, UserId,
};
use taskboard_core::events::{DetailType, Person, SCHEMA_VERSION, TaskEvent, TaskSnapshot};

use crate::rules::{self, NewTask, TaskPatch};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
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
    #[error("task store: {0}")]
    Db(#[from] sqlx::Error),
    #[error("task store holds an invalid row: {0}")]
    Corrupt(String),
    #[error("could not encode the event: {0}")]
    Encode(#[from] serde_json::Error),
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

/// One page of a list, newest first.
pub struct Page {
    pub items: Vec<TaskSnapshot>,
    /// The id of the last item, when there may be more.
    pub next_after: Option<TaskId>,
}

/// The outcome of a write: the task as stored, and the outbox row to relay now.
pub struct Written {
    pub task: TaskSnapshot,
    pub outbox_seq: Option<u64>,
}

/// The If-Match precondition of a write, already parsed.
#[derive(Debug, Clone)]
pub enum Precondition {
    None,
    Any,
    /// Any of these versions.
    Versions(Vec<u32>),
    /// A precondition that can match no version (a weak or malformed tag).
    Never,
}

/// A task with its creator and assignee, read from `TASK_SOURCE` (aliased `t`).
const TASK_COLUMNS: &str = "t.id, t.title, t.description, t.status, t.due_date, t.created_at, t.updated_at, \
    t.version, c.id AS c_id, c.name AS c_name, c.email AS c_email, a.id AS a_id, a.name AS a_name, a.email AS a_email";
const JOIN_PEOPLE: &str =
    "JOIN users c ON c.id = t.created_by LEFT JOIN users a ON a.id = t.assignee_id";
/// One task by id (`?`), with its people.
fn select_one_task() -> String {
    format!("SELECT {TASK_COLUMNS} FROM tasks t {JOIN_PEOPLE} WHERE t.id = ?")
}

#[derive(sqlx::FromRow)]
struct TaskRow {
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

fn person(id: &str, name: &str, email: &str) -> Result<Person, String> {
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

/// MySQL keeps microseconds; use the same precision in what we return and publish.
fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

#[derive(Clone)]
pub struct TaskStore {
    pool: MySqlPool,
}

impl TaskStore {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    pub async fn get(&self, id: TaskId) -> Result<Option<TaskSnapshot>, StoreError> {
        sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(select_one_task()))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(TaskSnapshot::try_from)
            .transpose()
    }

    /// Newest first, keyset-paginated on the (time-ordered) id: a task added while someone pages
    /// sorts before their cursor, so no page repeats or skips an item.
    pub async fn list(
        &self,
        filter: &ListFilter,
        after: Option<TaskId>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        // The page is chosen from `tasks` alone and only then joined to its people. Written as one
        // flat join, the optimiser may start from the small users table and sort every task to
        // find a page (35 ms instead of 1 ms for 50 of 5,000; docs/performance.md).
        //
        // With a filter, the `(column, id)` index is named: left to itself, MariaDB looks the
        // column up alone and walks back through every newer task of that person or status
        // before it reaches the cursor, so later pages cost more and more. Named, the index is
        // read as a range that starts at the cursor. The person filters are the narrower ones.
        let index = match (filter.assignee, filter.created_by, filter.status) {
            (Some(_), _, _) => " FORCE INDEX (tasks_assignee)",
            (None, Some(_), _) => " FORCE INDEX (tasks_created_by)",
            (None, None, Some(_)) => " FORCE INDEX (tasks_status)",
            (None, None, None) => "",
        };
        let mut q: QueryBuilder<MySql> = QueryBuilder::new(format!(
            "SELECT {TASK_COLUMNS} FROM (SELECT id, title, description, status, assignee_id, due_date, \
             created_by, created_at, updated_at, version FROM tasks{index} WHERE 1 = 1"
        ));
        if let Some(status) = filter.status {
            q.push(" AND status = ").push_bind(status.as_str());
        }
        match filter.assignee {
            Some(AssigneeFilter::User(id)) => {
                q.push(" AND assignee_id = ").push_bind(id.to_string());
            }
            Some(AssigneeFilter::Nobody) => {
                q.push(" AND assignee_id IS NULL");
            }
            None => {}
        }
        if let Some(creator) = filter.created_by {
            q.push(" AND created_by = ").push_bind(creator.to_string());
        }
        if let Some(after) = after {
            q.push(" AND id < ").push_bind(after.to_string());
        }
        q.push(" ORDER BY id DESC LIMIT ").push_bind(limit + 1);
        q.push(format!(") t {JOIN_PEOPLE} ORDER BY t.id DESC"));
        let rows: Vec<TaskRow> = q.build_query_as().fetch_all(&self.pool).await?;
        let more = rows.len() > limit as usize;
        let items = rows
            .into_iter()
            .take(limit as usize)
            .map(TaskSnapshot::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = if more {
            items.last().map(|t| t.id)
        } else {
            None
        };
        Ok(Page { items, next_after })
    }

    pub async fn create(&self, actor: UserId, new: NewTask) -> Result<Written, StoreError> {
        let mut tx = self.pool.begin().await?;
        let actor = load_person(&mut tx, actor)
            .await?
            .ok_or(StoreError::UnknownActor)?;
        let assignee = match new.assignee {
            Some(id) => Some(
                load_person(&mut tx, id)
                    .await?
                    .ok_or(StoreError::UnknownAssignee)?,
            ),
            None => None,
        };
        let at = now();
        let task = TaskSnapshot {
            id: TaskId::new(),
            title: new.title,
            description: new.description,
            status: new.status,
            assignee,
            due_date: new.due_date,
            created_by: actor.clone(),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        sqlx::query(
            "INSERT INTO tasks (id, title, description, status, assignee_id, due_date, created_by, created_at, \
             updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(task.id.to_string())
        .bind(task.title.as_str())
        .bind(task.description.as_ref().map(TaskDescription::as_str))
        .bind(task.status.as_str())
        .bind(task.assignee.as_ref().map(|a| a.id.to_string()))
        .bind(task.due_date.map(DueDate::date))
        .bind(task.created_by.id.to_string())
        .bind(task.created_at)
        .bind(task.updated_at)
        .bind(task.version)
        .execute(&mut *tx)
        .await?;
        let event = event(
            DetailType::Created,
            actor,
            task.clone(),
            Default::default(),
            None,
        );
        let seq = append_outbox(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Written {
            task,
            outbox_seq: Some(seq),
        })
    }

    /// Apply `patch` as `actor`. A patch that changes nothing returns the task untouched.
    pub async fn update(
        &self,
        actor: UserId,
        id: TaskId,
        patch: TaskPatch,
        precondition: Precondition,
    ) -> Result<Written, StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = lock_task(&mut tx, id).await?;
        if !rules::may_edit(&before, actor) {
            return Err(StoreError::Forbidden(
                "only the task's creator or assignee can edit it",
            ));
        }
        check(precondition, before.version)?;
        let mut after = before.clone();
        if let Some(title) = patch.title {
            after.title = title;
        }
        if let Some(description) = patch.description {
            after.description = description;
        }
        if let Some(status) = patch.status {
            after.status = status;
        }
        if let Some(due_date) = patch.due_date {
            after.due_date = due_date;
        }
        if let Some(assignee) = patch.assignee {
            after.assignee = match assignee {
                Some(id) if before.assignee.as_ref().is_some_and(|a| a.id == id) => {
                    before.assignee.clone()
                }
                Some(id) => Some(
                    load_person(&mut tx, id)
                        .await?
                        .ok_or(StoreError::UnknownAssignee)?,
                ),
                None => None,
            };
        }
        let changes = rules::changes(&before, &after);
        if changes.is_empty() {
            return Ok(Written {
                task: before,
                outbox_seq: None,
            });
        }
        let actor = load_person(&mut tx, actor)
            .await?
            .ok_or(StoreError::UnknownActor)?;
        after.version = before.version + 1;
        after.updated_at = now();
        sqlx::query(
            "UPDATE tasks SET title = ?, description = ?, status = ?, assignee_id = ?, due_date = ?, updated_at = ?, \
             version = ? WHERE id = ? AND version = ?",
        )
        .bind(after.title.as_str())
        .bind(after.description.as_ref().map(TaskDescription::as_str))
        .bind(after.status.as_str())
        .bind(after.assignee.as_ref().map(|a| a.id.to_string()))
        .bind(after.due_date.map(DueDate::date))
        .bind(after.updated_at)
        .bind(after.version)
        .bind(id.to_string())
        .bind(before.version)
        .execute(&mut *tx)
        .await?;
        let previous = match (&before.assignee, changes.contains_key("assignee")) {
            (Some(previous), true) => Some(previous.clone()),
            _ => None,
        };
        let kind = rules::edit_kind(&changes);
        let event = event(kind, actor, after.clone(), changes, previous.as_ref());
        let seq = append_outbox(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Written {
            task: after,
            outbox_seq: Some(seq),
        })
    }

    pub async fn delete(
        &self,
        actor: UserId,
        id: TaskId,
        precondition: Precondition,
    ) -> Result<Written, StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = lock_task(&mut tx, id).await?;
        if !rules::may_delete(&before, actor) {
            return Err(StoreError::Forbidden(
                "only the task's creator can delete it",
            ));
        }
        check(precondition, before.version)?;
        let actor = load_person(&mut tx, actor)
            .await?
            .ok_or(StoreError::UnknownActor)?;
        sqlx::query("DELETE FROM tasks WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let event = event(
            DetailType::Deleted,
            actor,
            before.clone(),
            Default::default(),
            None,
        );
        let seq = append_outbox(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Written {
            task: before,
            outbox_seq: Some(seq),
        })
    }
}

fn check(precondition: Precondition, current: u32) -> Result<(), StoreError> {
    match precondition {
        Precondition::None | Precondition::Any => Ok(()),
        Precondition::Versions(v) if v.contains(&current) => Ok(()),
        Precondition::Versions(_) | Precondition::Never => {
            Err(StoreError::VersionMismatch { current })
        }
    }
}

/// Lock the task's row for this transaction, then read it with its people.
async fn lock_task(
    tx: &mut Transaction<'_, MySql>,
    id: TaskId,
) -> Result<TaskSnapshot, StoreError> {
    let locked: Option<(u32,)> =
        sqlx::query_as("SELECT version FROM tasks WHERE id = ? FOR UPDATE")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    if locked.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(select_one_task()))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}

async fn load_person(
    tx: &mut Transaction<'_, MySql>,
    id: UserId,
) -> Result<Option<Person>, StoreError> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, name, email FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|(id, name, email)| person(&id, &name, &email).map_err(StoreError::Corrupt))
        .transpose()
}

fn event(
    kind: DetailType,
    actor: Person,
    task: TaskSnapshot,
    changes: std::collections::BTreeMap<String, taskboard_core::events::FieldChange>,
    previous_assignee: Option<&Person>,
) -> TaskEvent {
    TaskEvent {
        event_id: uuid::Uuid::now_v7(),
        schema_version: SCHEMA_VERSION,
        detail_type: kind,
        occurred_at: task.updated_at.max(now()),
        actor,
        recipients: TaskEvent::concerned(&task, previous_assignee),
        task,
        changes,
    }
}

async fn append_outbox(
    tx: &mut Transaction<'_, MySql>,
    event: &TaskEvent,
) -> Result<u64, StoreError> {
    let detail = serde_json::to_string(event)?;
    let done = sqlx::query(
        "INSERT INTO outbox (event_id, task_id, detail_type, detail, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(event.event_id.to_string())
    .bind(event.task.id.to_string())
    .bind(event.detail_type.as_str())
    .bind(detail)
    .bind(event.occurred_at)
    .execute(&mut **tx)
    .await?;
    Ok(done.last_insert_id())
}
