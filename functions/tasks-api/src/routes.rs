//! The tasks API: every route, each a thin handler in `routes/`. What a valid request is lives in
//! [`crate::request`], who may do what in [`crate::decide`] and [`crate::projects`], storage in
//! [`crate::store`]; what handlers share in [`crate::respond`].
//!
//! | method | path | answer |
//! |--------|------|--------|
//! | GET    | `/api/projects` | my projects |
//! | POST   | `/api/projects` | 201; I am its owner |
//! | GET, PATCH | `/api/projects/{id}` | the project; rename or archive (owners) |
//! | GET    | `/api/projects/{id}/members` | its members and their roles |
//! | PATCH, DELETE | `/api/projects/{id}/members/{user}` | change a role; remove (owners) or leave; 409 last owner |
//! | GET, POST | `/api/projects/{id}/invitations` | pending invitations; invite (owners; mails a link) |
//! | POST   | `/api/projects/{id}/invitations/{inv}/resend` | a new link, a new expiry |
//! | DELETE | `/api/projects/{id}/invitations/{inv}` | revoke |
//! | GET    | `/api/tasks` | a page of tasks of a project (or all mine), newest first |
//! | POST   | `/api/tasks` | 201 + `Location` + `ETag` |
//! | GET, PATCH, DELETE | `/api/tasks/{id}` | the task + `ETag`; 403; 412 stale `If-Match` |
//! | GET    | `/api/tasks/{id}/history` | the change log, newest first |
//! | GET    | `/api/users` | the people who share a project with me |
//! | GET    | `/api/admin/users` | every account (administrators) |
//! | PATCH  | `/api/admin/users/{id}` | deactivate, reactivate, name an administrator |
//! | GET    | `/api/openapi.json` | the OpenAPI document (no sign-in needed) |
//!
//! A non-member gets `404` for anything of a project, exactly as for one that does not exist.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use http::{HeaderValue, header};

use crate::app::TasksState;
use crate::{OPENAPI, TasksConfig};

mod admin;
mod projects;
mod tasks;

/// Every route this function serves, as `(method, path)`: the OpenAPI test holds the document to it.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/projects"),
    ("POST", "/api/projects"),
    ("GET", "/api/projects/{id}"),
    ("PATCH", "/api/projects/{id}"),
    ("GET", "/api/projects/{id}/members"),
    ("PATCH", "/api/projects/{id}/members/{user_id}"),
    ("DELETE", "/api/projects/{id}/members/{user_id}"),
    ("GET", "/api/projects/{id}/invitations"),
    ("POST", "/api/projects/{id}/invitations"),
    (
        "POST",
        "/api/projects/{id}/invitations/{invitation_id}/resend",
    ),
    ("DELETE", "/api/projects/{id}/invitations/{invitation_id}"),
    ("GET", "/api/tasks"),
    ("POST", "/api/tasks"),
    ("GET", "/api/tasks/{id}"),
    ("PATCH", "/api/tasks/{id}"),
    ("DELETE", "/api/tasks/{id}"),
    ("GET", "/api/tasks/{id}/history"),
    ("GET", "/api/users"),
    ("GET", "/api/admin/users"),
    ("PATCH", "/api/admin/users/{id}"),
    ("GET", "/api/openapi.json"),
];

/// The tasks-api router, for Lambda and the dev server alike.
pub fn router(state: TasksState, config: &TasksConfig) -> Router {
    let routes = Router::new()
        .route(
            "/api/projects",
            get(projects::list_projects).post(projects::create_project),
        )
        .route(
            "/api/projects/{id}",
            get(projects::get_project).patch(projects::update_project),
        )
        .route("/api/projects/{id}/members", get(projects::list_members))
        .route(
            "/api/projects/{id}/members/{user_id}",
            patch(projects::set_member_role).delete(projects::remove_member),
        )
        .route(
            "/api/projects/{id}/invitations",
            get(projects::list_invitations).post(projects::invite),
        )
        .route(
            "/api/projects/{id}/invitations/{invitation_id}/resend",
            post(projects::resend_invitation),
        )
        .route(
            "/api/projects/{id}/invitations/{invitation_id}",
            axum::routing::delete(projects::revoke_invitation),
        )
        .route(
            "/api/tasks",
            get(tasks::list_tasks).post(tasks::create_task),
        )
        .route(
            "/api/tasks/{id}",
            get(tasks::get_task)
                .patch(tasks::update_task)
                .delete(tasks::delete_task),
        )
        .route("/api/tasks/{id}/history", get(tasks::history))
        .route("/api/users", get(tasks::list_users))
        .route("/api/admin/users", get(admin::list_accounts))
        .route("/api/admin/users/{id}", patch(admin::update_account))
        .route("/api/openapi.json", get(openapi));
    taskboard_http::finish_router(
        routes,
        config.session.site_url.clone(),
        config.origin.clone(),
        state,
    )
}

async fn openapi() -> Response {
    let json = HeaderValue::from_static("application/json");
    ([(header::CONTENT_TYPE, json)], OPENAPI).into_response()
}
