//! The tasks API. Every route is here.
//!
//! | method | path         | answer                                           |
//! |--------|--------------|--------------------------------------------------|
//! | GET    | `/api/users` | 200 the people a task can be assigned to; 401     |

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sqlx::MySqlPool;
use taskboard_core::domain::User;
use taskboard_core::http::{ApiError, Authenticated, CookiePolicy, HasSessions};
use taskboard_core::storage::sessions::SessionStore;
use taskboard_core::storage::users::UserStore;

use crate::TasksConfig;

/// Everything the tasks routes need, built once per process.
#[derive(Clone)]
pub struct TasksState(Arc<Inner>);

struct Inner {
    users: UserStore,
    sessions: SessionStore,
    cookies: CookiePolicy,
}

impl TasksState {
    pub fn new(config: &TasksConfig, pool: MySqlPool, dynamo: aws_sdk_dynamodb::Client) -> Self {
        Self(Arc::new(Inner {
            users: UserStore::new(pool),
            sessions: config.session.store(dynamo),
            cookies: config.session.cookie_policy(),
        }))
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

/// The tasks-api router, for Lambda and the dev server alike.
pub fn router(state: TasksState, config: &TasksConfig) -> Router {
    let routes = Router::new().route("/api/users", get(list_users));
    taskboard_core::http::finish_router(routes, config.session.site_url.clone(), state)
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
