//! The login API: every route, each a thin handler in `routes/`. The rules live in
//! [`crate::accounts`] and [`crate::password`], the failed-attempt counters in
//! [`crate::throttle`], the state in [`crate::app`], what handlers share in [`crate::respond`].
//!
//! | method | path | answer |
//! |--------|------|--------|
//! | POST | `/api/auth/signup` | 202 (a verification link, or a note if the address has an account); 403 by the policy |
//! | POST | `/api/auth/verify` | 204 address proven; 400 invalid link |
//! | POST | `/api/auth/login` | 200 user + session cookie; 401; 403 unverified; 429 + `Retry-After` |
//! | POST | `/api/auth/logout` | 204, session deleted, cookie cleared |
//! | POST | `/api/auth/logout-all` | 204, every session of the user deleted |
//! | GET | `/api/auth/me` | 200 user, and whether their task e-mail has stopped; 401 |
//! | POST | `/api/auth/email/confirm` | 202 a link that proves the address again (restarts stopped mail); 429 |
//! | POST | `/api/auth/password/forgot` | 202 always, in the same time |
//! | POST | `/api/auth/password/reset` | 204, every session ended; 400 invalid link |
//! | POST | `/api/auth/password/change` | 204, every other session ended; 422 wrong current password |
//! | POST | `/api/invitations/preview` | 200 what the invitation is for; 400 invalid link |
//! | POST | `/api/invitations/accept` | 200 joined (signed in); 202 accepted (not signed in); 403 other account |

use axum::Router;
use axum::routing::{get, post};

use crate::LoginConfig;
use crate::app::LoginState;

mod invitations;
mod password;
mod session;

/// Every route this function serves, as `(method, path)`: the OpenAPI test holds the document to it.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/auth/signup"),
    ("POST", "/api/auth/verify"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/email/confirm"),
    ("POST", "/api/auth/password/forgot"),
    ("POST", "/api/auth/password/reset"),
    ("POST", "/api/auth/password/change"),
    ("POST", "/api/invitations/preview"),
    ("POST", "/api/invitations/accept"),
];

/// The login function's router, for Lambda and the dev server alike.
pub fn router(state: LoginState, config: &LoginConfig) -> Router {
    let routes = Router::new()
        .route("/api/auth/signup", post(session::signup))
        .route("/api/auth/verify", post(password::verify))
        .route("/api/auth/login", post(session::login))
        .route("/api/auth/logout", post(session::logout))
        .route("/api/auth/logout-all", post(session::logout_all))
        .route("/api/auth/me", get(session::me))
        .route("/api/auth/email/confirm", post(password::confirm_email))
        .route("/api/auth/password/forgot", post(password::forgot))
        .route("/api/auth/password/reset", post(password::reset))
        .route("/api/auth/password/change", post(password::change))
        .route("/api/invitations/preview", post(invitations::preview))
        .route("/api/invitations/accept", post(invitations::accept));
    taskboard_http::finish_router(
        routes,
        config.session.site_url.clone(),
        config.origin.clone(),
        state,
    )
}
