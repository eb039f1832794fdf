//! The login API: every route, each a thin handler. The rules live in [`crate::accounts`] and
//! [`crate::password`], the failed-attempt counters in [`crate::throttle`], the state in
//! [`crate::app`].
//!
//! | method | path                   | answer                                               |
//! |--------|------------------------|------------------------------------------------------|
//! | POST   | `/api/auth/signup`     | 201 user + session cookie; 409 e-mail taken; 403 closed |
//! | POST   | `/api/auth/login`      | 200 user + session cookie; 401; 429 + `Retry-After`   |
//! | POST   | `/api/auth/logout`     | 204, session deleted, cookie cleared                  |
//! | POST   | `/api/auth/logout-all` | 204, every session of the user deleted                |
//! | GET    | `/api/auth/me`         | 200 user; 401                                         |

use axum::extract::{FromRequestParts, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;
use taskboard_core::sessions::SessionToken;
use taskboard_domain::time::EpochSecs;
use taskboard_domain::{User, UserId};
use taskboard_http::{ApiError, ApiJson, Authenticated, ClientAddr};

use crate::LoginConfig;
use crate::accounts::{self, CheckError, RegisterError, Registration, SignIn};
use crate::app::LoginState;

/// Every route this function serves, as `(method, path)`: the OpenAPI test holds the document to it.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/auth/signup"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("GET", "/api/auth/me"),
];

/// The login function's router, for Lambda and the dev server alike.
pub fn router(state: LoginState, config: &LoginConfig) -> Router {
    let routes = Router::new()
        .route("/api/auth/signup", post(signup))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/logout-all", post(logout_all))
        .route("/api/auth/me", get(me));
    taskboard_http::finish_router(routes, config.session.site_url.clone(), state)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupBody {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
}

async fn signup(
    State(state): State<LoginState>,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<Response, ApiError> {
    if !state.0.signup_enabled {
        return Err(ApiError::SignupClosed);
    }
    let registration = Registration::parse(&body.email, &body.name, body.password)
        .map_err(ApiError::Validation)?;
    let user = accounts::register(&state.0.users, &state.0.hasher, &registration)
        .await
        .map_err(|e| match e {
            RegisterError::EmailTaken => ApiError::Conflict {
                slug: "email-taken",
                detail: "An account with this e-mail address already exists.".into(),
            },
            other => ApiError::internal(other),
        })?;
    tracing::info!(user_id = %user.id, "account created");
    let mut response = start_session(&state, user).await?;
    *response.status_mut() = StatusCode::CREATED;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/api/auth/me"));
    Ok(response)
}

async fn login(
    State(state): State<LoginState>,
    ClientAddrOf(client): ClientAddrOf,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let SignIn { email, password } =
        SignIn::parse(&body.email, body.password).map_err(ApiError::Validation)?;

    // Counted before the password is checked: parallel guesses cannot outrun the limit.
    if let Some(retry_after_secs) = state
        .0
        .throttle
        .admit(&email, &client)
        .await
        .map_err(ApiError::internal)?
    {
        tracing::warn!(client = %client.0, "sign-in throttled");
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }

    let user = accounts::check_credentials(&state.0.users, &state.0.hasher, &email, &password)
        .await
        .map_err(|e: CheckError| ApiError::internal(e))?;
    let Some(user) = user else {
        // Logged without the address typed (it may be a password typed into the wrong field).
        tracing::warn!(client = %client.0, "sign-in failed");
        return Err(ApiError::InvalidCredentials);
    };
    if let Err(err) = state.0.throttle.succeeded(&email, &client).await {
        tracing::warn!(error = %err, "could not clear the attempt counters");
    }
    tracing::info!(user_id = %user.id, "signed in");
    start_session(&state, user).await
}

async fn start_session(state: &LoginState, user: User) -> Result<Response, ApiError> {
    tracing::Span::current().record("user_id", tracing::field::display(user.id));
    let (token, session) = state
        .0
        .sessions
        .create(user.id)
        .await
        .map_err(ApiError::internal)?;
    let cookie = state
        .0
        .cookies
        .issue(token.expose(), session.cookie_max_age(EpochSecs::now()));
    Ok(([(header::SET_COOKIE, cookie), no_store()], Json(user)).into_response())
}

async fn logout(
    State(state): State<LoginState>,
    headers: http::HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = state
        .0
        .cookies
        .read(&headers)
        .and_then(SessionToken::from_cookie)
    {
        state
            .0
            .sessions
            .revoke(&token)
            .await
            .map_err(ApiError::internal)?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.0.cookies.clear())],
    )
        .into_response())
}

async fn logout_all(
    State(state): State<LoginState>,
    auth: Authenticated,
) -> Result<Response, ApiError> {
    let ended = state
        .0
        .sessions
        .revoke_all(auth.user_id)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(sessions = ended, "signed out everywhere");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.0.cookies.clear())],
    )
        .into_response())
}

async fn me(State(state): State<LoginState>, auth: Authenticated) -> Result<Response, ApiError> {
    let user = current_user(&state, auth.user_id).await?;
    Ok(([no_store()], Json(user)).into_response())
}

async fn current_user(state: &LoginState, id: UserId) -> Result<User, ApiError> {
    state
        .0
        .users
        .by_id(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::Unauthenticated)
}

fn no_store() -> (header::HeaderName, HeaderValue) {
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// The client's address, resolved with the configured trusted header.
struct ClientAddrOf(ClientAddr);

impl FromRequestParts<LoginState> for ClientAddrOf {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoginState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(ClientAddr::from_parts(
            parts,
            state.0.client_ip_header.as_deref(),
        )))
    }
}
