//! The tasks API. Every route is here; rules live in [`crate::rules`], storage in
//! [`crate::store`] and [`crate::changelog`].
//!
//! | method | path                       | answer                                                |
//! |--------|----------------------------|-------------------------------------------------------|
//! | GET    | `/api/tasks`               | a page of tasks, newest first; filters and a cursor    |
//! | POST   | `/api/tasks`               | 201 + `Location` + `ETag`                              |
//! | GET    | `/api/tasks/{id}`          | the task + `ETag`; 404                                 |
//! | PATCH  | `/api/tasks/{id}`          | 200 + `ETag`; 403 not yours; 412 stale `If-Match`      |
//! | DELETE | `/api/tasks/{id}`          | 204; 403 unless the creator; 412 stale `If-Match`      |
//! | GET    | `/api/tasks/{id}/history`  | the change log, newest first                           |
//! | GET    | `/api/users`               | the people a task can be assigned to                   |
//! | GET    | `/api/openapi.json`        | the OpenAPI document (no sign-in needed)               |

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use sqlx::MySqlPool;
use taskboard_core::aws::LazyClient;
use taskboard_core::domain::{TaskId, TaskStatus, User, UserId};
use taskboard_core::events::TaskSnapshot;
use taskboard_core::http::{
    ApiError, ApiJson, Authenticated, CookiePolicy, FieldError, HasSessions,
};
use taskboard_core::storage::sessions::SessionStore;
use taskboard_core::storage::users::UserStore;

use crate::changelog::{ChangeLog, HistoryEntry};
use crate::relay::Relay;
use crate::rules::{NewTask, NewTaskBody, PatchBody, TaskPatch};
use crate::store::{AssigneeFilter, ListFilter, Precondition, StoreError, TaskStore, Written};
use crate::{OPENAPI, TasksConfig};

/// Everything the tasks routes need, built once per process.
#[derive(Clone)]
pub struct TasksState(Arc<Inner>);

struct Inner {
    users: UserStore,
    tasks: TaskStore,
    changelog: ChangeLog,
    relay: Relay,
    sessions: SessionStore,
    cookies: CookiePolicy,
}

/// The AWS clients tasks-api uses. Sessions and the relay may use different ones (tests point the
/// relay at an unreachable endpoint to prove a write survives an outage).
pub struct Clients {
    pub sessions: LazyClient<aws_sdk_dynamodb::Client>,
    pub changelog: LazyClient<aws_sdk_dynamodb::Client>,
    pub events: LazyClient<aws_sdk_eventbridge::Client>,
}

impl Clients {
    /// The deployed set: built from the environment when a request first needs each one.
    pub fn lazy() -> Self {
        let dynamo = taskboard_core::aws::lazy_dynamo();
        Self {
            sessions: dynamo.clone(),
            changelog: dynamo,
            events: taskboard_core::aws::lazy_events(),
        }
    }
}

impl TasksState {
    pub fn new(config: &TasksConfig, pool: MySqlPool, clients: Clients) -> Self {
        let changelog = ChangeLog::new(clients.changelog, config.task_log_table.clone());
        Self(Arc::new(Inner {
            users: UserStore::new(pool.clone()),
            tasks: TaskStore::new(pool.clone()),
            relay: Relay::new(
                pool,
                changelog.clone(),
                clients.events,
                config.event_bus_name.clone(),
            ),
            changelog,
            sessions: config.session.store(clients.sessions),
            cookies: config.session.cookie_policy(),
        }))
    }

    pub fn relay(&self) -> &Relay {
        &self.0.relay
    }
}

impl HasSessions for TasksState {
    fn sessions(&self) -> &SessionStore {
        &self.0.sessions
    }
    fn cookie_policy(&self) -> &CookiePolicy {
        &self.0.cookies
    }
}

/// Every route this function serves, as `(method, path)`: the OpenAPI test holds the document to it.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/tasks"),
    ("POST", "/api/tasks"),
    ("GET", "/api/tasks/{id}"),
    ("PATCH", "/api/tasks/{id}"),
    ("DELETE", "/api/tasks/{id}"),
    ("GET", "/api/tasks/{id}/history"),
    ("GET", "/api/users"),
    ("GET", "/api/openapi.json"),
];

/// The tasks-api router, for Lambda and the dev server alike.
pub fn router(state: TasksState, config: &TasksConfig) -> Router {
    let routes = Router::new()
        .route("/api/tasks", get(list_tasks).post(create_task))
        .route(
            "/api/tasks/{id}",
            get(get_task).patch(update_task).delete(delete_task),
        )
        .route("/api/tasks/{id}/history", get(history))
        .route("/api/users", get(list_users))
        .route("/api/openapi.json", get(openapi));
    taskboard_core::http::finish_router(routes, config.session.site_url.clone(), state)
}

fn etag(version: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn task_response(status: StatusCode, task: &TaskSnapshot) -> Response {
    let mut response = (status, Json(task)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag(task.version));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `If-Match`: absent, `*`, or a list of strong entity tags (`"3"`). Weak tags never match.
fn precondition(headers: &HeaderMap) -> Precondition {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Precondition::None;
    };
    let Ok(raw) = raw.to_str() else {
        return Precondition::Never;
    };
    if raw.trim() == "*" {
        return Precondition::Any;
    }
    let versions: Vec<u32> = raw
        .split(',')
        .map(str::trim)
        .filter(|t| !t.starts_with("W/"))
        .filter_map(|t| t.strip_prefix('"')?.strip_suffix('"')?.parse::<u32>().ok())
        .collect();
    if versions.is_empty() {
        Precondition::Never
    } else {
        Precondition::Versions(versions)
    }
}

fn store_error(err: StoreError) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::NotFound,
        StoreError::Forbidden(why) => ApiError::Forbidden(why.to_owned()),
        StoreError::VersionMismatch { current } => ApiError::PreconditionFailed(format!(
            "Someone else changed this task (it is now at version {current}). Reload it and try again."
        )),
        StoreError::UnknownAssignee => {
            ApiError::field("assignee_id", "no registered user has this id")
        }
        StoreError::UnknownActor => ApiError::Unauthenticated,
        other => ApiError::internal(other),
    }
}

fn task_id(raw: &str) -> Result<TaskId, ApiError> {
    TaskId::parse(raw).map_err(|_| ApiError::NotFound)
}

async fn relay_written(state: &TasksState, written: &Written) {
    if let Some(seq) = written.outbox_seq {
        state.0.relay.relay_now(seq).await;
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    status: Option<String>,
    assignee: Option<String>,
    created_by: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

#[derive(Serialize)]
struct TaskPage {
    items: Vec<TaskSnapshot>,
    next_cursor: Option<String>,
}

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 100;

async fn list_tasks(
    State(state): State<TasksState>,
    auth: Authenticated,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut errors = Vec::new();
    let mut filter = ListFilter::default();
    if let Some(status) = params.status.as_deref() {
        match TaskStatus::parse(status) {
            Ok(s) => filter.status = Some(s),
            Err(e) => errors.push(FieldError::new("status", e)),
        }
    }
    if let Some(assignee) = params.assignee.as_deref() {
        filter.assignee = match assignee {
            "me" => Some(AssigneeFilter::User(auth.user_id)),
            "none" => Some(AssigneeFilter::Nobody),
            id => match UserId::parse(id) {
                Ok(id) => Some(AssigneeFilter::User(id)),
                Err(_) => {
                    errors.push(FieldError::new(
                        "assignee",
                        "assignee must be me, none, or a user id",
                    ));
                    None
                }
            },
        };
    }
    if let Some(created_by) = params.created_by.as_deref() {
        match created_by {
            "me" => filter.created_by = Some(auth.user_id),
            other => match UserId::parse(other) {
                Ok(id) => filter.created_by = Some(id),
                Err(_) => errors.push(FieldError::new(
                    "created_by",
                    "created_by must be me or a user id",
                )),
            },
        }
    }
    let limit = match params.limit.as_deref().map(str::parse::<u32>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            errors.push(FieldError::new(
                "limit",
                format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
            ));
            DEFAULT_LIMIT
        }
    };
    let after = match params.cursor.as_deref() {
        None => None,
        Some(cursor) => match decode_cursor(cursor) {
            Some(id) => Some(id),
            None => {
                errors.push(FieldError::new(
                    "cursor",
                    "cursor is not one this API returned",
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = state
        .0
        .tasks
        .list(&filter, after, limit)
        .await
        .map_err(store_error)?;
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(TaskPage {
            items: page.items,
            next_cursor: page
                .next_after
                .map(|id| URL_SAFE_NO_PAD.encode(id.to_string())),
        }),
    )
        .into_response())
}

fn decode_cursor(cursor: &str) -> Option<TaskId> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    TaskId::parse(std::str::from_utf8(&bytes).ok()?).ok()
}

async fn create_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    ApiJson(body): ApiJson<NewTaskBody>,
) -> Result<Response, ApiError> {
    let new = NewTask::parse(body).map_err(ApiError::Validation)?;
    let written = state
        .0
        .tasks
        .create(auth.user_id, new)
        .await
        .map_err(store_error)?;
    tracing::info!(task_id = %written.task.id, "task created");
    relay_written(&state, &written).await;
    let mut response = task_response(StatusCode::CREATED, &written.task);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/tasks/{}", written.task.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn get_task(
    State(state): State<TasksState>,
    _auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let task = state
        .0
        .tasks
        .get(task_id(&id)?)
        .await
        .map_err(store_error)?
        .ok_or(ApiError::NotFound)?;
    Ok(task_response(StatusCode::OK, &task))
}

async fn update_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PatchBody>,
) -> Result<Response, ApiError> {
    let id = task_id(&id)?;
    let patch = TaskPatch::parse(body).map_err(ApiError::Validation)?;
    let written = state
        .0
        .tasks
        .update(auth.user_id, id, patch, precondition(&headers))
        .await
        .map_err(store_error)?;
    relay_written(&state, &written).await;
    Ok(task_response(StatusCode::OK, &written.task))
}

async fn delete_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let written = state
        .0
        .tasks
        .delete(auth.user_id, task_id(&id)?, precondition(&headers))
        .await
        .map_err(store_error)?;
    tracing::info!(task_id = %written.task.id, "task deleted");
    relay_written(&state, &written).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct History {
    items: Vec<HistoryEntry>,
}

async fn history(
    State(state): State<TasksState>,
    _auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = task_id(&id)?;
    let items = state
        .0
        .changelog
        .history(id, 200)
        .await
        .map_err(ApiError::internal)?;
    if items.is_empty() && state.0.tasks.get(id).await.map_err(store_error)?.is_none() {
        return Err(ApiError::NotFound);
    }
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(History { items }),
    )
        .into_response())
}

/// A teammate as the board shows them: no password data, ever.
#[derive(Serialize)]
struct Teammate {
    id: String,
    name: String,
    email: String,
}

impl From<User> for Teammate {
    fn from(user: User) -> Self {
        Self {
            id: user.id.to_string(),
            name: user.name.to_string(),
            email: user.email.to_string(),
        }
    }
}

#[derive(Serialize)]
struct UserList {
    items: Vec<Teammate>,
}

async fn list_users(
    State(state): State<TasksState>,
    _auth: Authenticated,
) -> Result<Response, ApiError> {
    let users = state.0.users.all().await.map_err(ApiError::internal)?;
    Ok(Json(UserList {
        items: users.into_iter().map(Teammate::from).collect(),
    })
    .into_response())
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}
