//! The tasks API: every route, each a thin handler. What a valid request is lives in
//! [`crate::request`], who may do what in [`crate::decide`], storage in [`crate::store`].
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

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;
use taskboard_domain::events::TaskSnapshot;
use taskboard_domain::{TaskId, User};
use taskboard_http::{ApiError, ApiJson, Authenticated};

use crate::app::TasksState;
use crate::changelog::HistoryEntry;
use crate::decide::{self, Refusal};
use crate::request::{
    Cursor, ListParams, ListQuery, NewTask, NewTaskBody, PatchBody, Precondition, TaskPatch,
};
use crate::store::{WriteError, Written};
use crate::{OPENAPI, TasksConfig};

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
    taskboard_http::finish_router(routes, config.session.site_url.clone(), state)
}

async fn list_tasks(
    State(state): State<TasksState>,
    auth: Authenticated,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let query = ListQuery::parse(params, auth.user_id).map_err(ApiError::Validation)?;
    let page = (state.0.tasks)
        .list(&query.filter, query.after, query.limit)
        .await
        .map_err(ApiError::internal)?;
    let body = TaskPage {
        items: page.items,
        next_cursor: page.next_after.map(Cursor::encode),
    };
    Ok(([no_store()], Json(body)).into_response())
}

async fn create_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    ApiJson(body): ApiJson<NewTaskBody>,
) -> Result<Response, ApiError> {
    let new = NewTask::parse(body).map_err(ApiError::Validation)?;
    let written = (state.0.tasks)
        .create(auth.user_id, new.assignee, |seen, stamp| {
            decide::create(seen, &new, stamp)
        })
        .await
        .map_err(write_error)?;
    tracing::info!(task_id = %written.task.id, "task created");
    relay(&state, &written).await;
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
    let task = (state.0.tasks)
        .get(task_id(&id)?)
        .await
        .map_err(ApiError::internal)?
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
    let precondition = Precondition::from_headers(&headers);
    let written = (state.0.tasks)
        .edit(id, auth.user_id, patch.named_assignee(), |seen, stamp| {
            decide::edit(seen, auth.user_id, &patch, &precondition, stamp)
        })
        .await
        .map_err(write_error)?;
    relay(&state, &written).await;
    Ok(task_response(StatusCode::OK, &written.task))
}

async fn delete_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let precondition = Precondition::from_headers(&headers);
    let written = (state.0.tasks)
        .delete(task_id(&id)?, auth.user_id, |seen, stamp| {
            decide::delete(seen, auth.user_id, &precondition, stamp)
        })
        .await
        .map_err(write_error)?;
    tracing::info!(task_id = %written.task.id, "task deleted");
    relay(&state, &written).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn history(
    State(state): State<TasksState>,
    _auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = task_id(&id)?;
    let items = (state.0.changelog)
        .history(id, 200)
        .await
        .map_err(ApiError::internal)?;
    // A deleted task keeps its history; an id that never existed has none.
    if items.is_empty()
        && state
            .0
            .tasks
            .get(id)
            .await
            .map_err(ApiError::internal)?
            .is_none()
    {
        return Err(ApiError::NotFound);
    }
    Ok(([no_store()], Json(History { items })).into_response())
}

async fn list_users(
    State(state): State<TasksState>,
    _auth: Authenticated,
) -> Result<Response, ApiError> {
    let users = state.0.users.all().await.map_err(ApiError::internal)?;
    let items = users.into_iter().map(Teammate::from).collect();
    Ok(Json(UserList { items }).into_response())
}

async fn openapi() -> Response {
    let json = HeaderValue::from_static("application/json");
    ([(header::CONTENT_TYPE, json)], OPENAPI).into_response()
}

/// Relay what a write appended right away (bounded in time; the scheduled relay is the net).
async fn relay(state: &TasksState, written: &Written) {
    if let Some(appended) = &written.appended {
        state.0.relay.relay_now(appended).await;
    }
}

fn write_error(err: WriteError) -> ApiError {
    match err {
        WriteError::Refused(Refusal::NotFound) => ApiError::NotFound,
        WriteError::Refused(Refusal::Forbidden(why)) => ApiError::Forbidden(why.to_owned()),
        WriteError::Refused(Refusal::VersionMismatch { current }) => {
            ApiError::PreconditionFailed(format!(
                "Someone else changed this task (it is now at version {current}). Reload it and try again."
            ))
        }
        WriteError::Refused(Refusal::UnknownAssignee) => {
            ApiError::field("assignee_id", "no registered user has this id")
        }
        WriteError::Refused(Refusal::UnknownActor) => ApiError::Unauthenticated,
        WriteError::Failed(failure) => ApiError::internal(failure),
    }
}

/// A malformed id names no task: 404, as for one that does not exist.
fn task_id(raw: &str) -> Result<TaskId, ApiError> {
    TaskId::parse(raw).map_err(|_| ApiError::NotFound)
}

fn task_response(status: StatusCode, task: &TaskSnapshot) -> Response {
    let mut response = (status, [no_store()], Json(task)).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", task.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

fn no_store() -> (header::HeaderName, HeaderValue) {
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

#[derive(Serialize)]
struct TaskPage {
    items: Vec<TaskSnapshot>,
    next_cursor: Option<String>,
}

#[derive(Serialize)]
struct History {
    items: Vec<HistoryEntry>,
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
