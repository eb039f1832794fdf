//! The task routes: the board's lists, one task, its history, and the people who share a project
//! with the caller.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;
use taskboard_domain::TaskId;
use taskboard_domain::events::TaskSnapshot;
use taskboard_http::{ApiError, ApiJson, Authenticated};

use crate::app::TasksState;
use crate::changelog::HistoryEntry;
use crate::decide;
use crate::request::{
    Cursor, ListParams, ListQuery, NewTask, NewTaskBody, PatchBody, Precondition, TaskPatch,
};
use crate::respond::{self, Items, cap_writes, json, path_id, relay, task_response, write_error};

pub async fn list_tasks(
    State(state): State<TasksState>,
    auth: Authenticated,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let query = ListQuery::parse(params, auth.user_id).map_err(ApiError::Validation)?;
    let page = (state.0.tasks)
        .list(auth.user_id, &query)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)?;
    let body = TaskPage {
        items: page.items,
        next_cursor: page.next_after.map(Cursor::encode),
    };
    Ok(json(StatusCode::OK, &body))
}

pub async fn create_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    ApiJson(body): ApiJson<NewTaskBody>,
) -> Result<Response, ApiError> {
    let new = NewTask::parse(body).map_err(ApiError::Validation)?;
    cap_writes(&state, auth.user_id).await?;
    let written = (state.0.tasks)
        .create(auth.user_id, new.project, new.assignee, |seen, stamp| {
            decide::create(seen, &new, stamp)
        })
        .await
        .map_err(write_error)?;
    tracing::info!(task_id = %written.task.id, "task created");
    relay(&state, written.appended.as_slice()).await;
    let mut response = task_response(StatusCode::CREATED, &written.task);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/tasks/{}", written.task.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn get_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let task = (state.0.tasks)
        .get(auth.user_id, path_id(&id, TaskId::parse)?)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)?;
    Ok(task_response(StatusCode::OK, &task))
}

pub async fn update_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PatchBody>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, TaskId::parse)?;
    let patch = TaskPatch::parse(body).map_err(ApiError::Validation)?;
    let precondition = Precondition::required_from_headers(&headers)?;
    cap_writes(&state, auth.user_id).await?;
    let written = (state.0.tasks)
        .edit(id, auth.user_id, patch.named_assignee(), |seen, stamp| {
            decide::edit(seen, auth.user_id, &patch, &precondition, stamp)
        })
        .await
        .map_err(write_error)?;
    relay(&state, written.appended.as_slice()).await;
    Ok(task_response(StatusCode::OK, &written.task))
}

pub async fn delete_task(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = path_id(&id, TaskId::parse)?;
    let precondition = Precondition::required_from_headers(&headers)?;
    cap_writes(&state, auth.user_id).await?;
    let written = (state.0.tasks)
        .delete(id, auth.user_id, |seen, stamp| {
            decide::delete(seen, auth.user_id, &precondition, stamp)
        })
        .await
        .map_err(write_error)?;
    tracing::info!(task_id = %written.task.id, "task deleted");
    relay(&state, written.appended.as_slice()).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn history(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, TaskId::parse)?;
    let visible = (state.0.tasks)
        .get(auth.user_id, id)
        .await
        .map_err(ApiError::internal)?
        .map(|t| t.project_id);
    // The change log and the e-mails about it, read side by side.
    let (log, deliveries) = tokio::join!(
        (state.0.changelog).history(id, 200),
        (state.0.deliveries).for_task(id)
    );
    let log = log.map_err(ApiError::internal)?;
    // A deleted task keeps its history, for the members of the project it was in.
    let allowed = match (visible, log.project) {
        (Some(_), _) => true,
        (None, Some(project)) => (state.0.tasks)
            .is_member(auth.user_id, project)
            .await
            .map_err(ApiError::internal)?,
        (None, None) => false,
    };
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let mut items = log.items;
    let actors: Vec<_> = items.iter().filter_map(HistoryEntry::actor_id).collect();
    let gone = (state.0.users)
        .deactivated_among(&actors)
        .await
        .map_err(ApiError::internal)?;
    // The history stands without its e-mails: unreadable delivery records leave them out.
    let mut deliveries = deliveries.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "delivery records unavailable; history without them");
        Default::default()
    });
    for entry in &mut items {
        entry.mark_deactivated(&gone);
        entry.deliveries = (deliveries.remove(&entry.event_id).unwrap_or_default())
            .into_iter()
            .map(|d| d.as_seen_by(auth.user_id))
            .collect();
    }
    Ok(json(StatusCode::OK, &Items { items }))
}

/// The people who share at least one project with the caller (never anyone else).
pub async fn list_users(
    State(state): State<TasksState>,
    auth: Authenticated,
) -> Result<Response, ApiError> {
    let people = (state.0.users)
        .teammates_of(auth.user_id)
        .await
        .map_err(ApiError::internal)?;
    let items = people
        .into_iter()
        .map(|a| Teammate {
            id: a.user.id.to_string(),
            name: a.user.name.to_string(),
            email: a.user.email.to_string(),
            deactivated: a.deactivated,
        })
        .collect();
    Ok(respond::json(StatusCode::OK, &Items::<Teammate> { items }))
}

#[derive(Serialize)]
struct TaskPage {
    items: Vec<TaskSnapshot>,
    next_cursor: Option<String>,
}

/// A teammate as the board shows them: no password data, ever.
#[derive(Serialize)]
struct Teammate {
    id: String,
    name: String,
    email: String,
    deactivated: bool,
}
