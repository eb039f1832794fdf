//! One way for any function to authenticate a request: the session cookie, looked up in the
//! session store. CSRF is checked separately by [`super::csrf_guard`] on the whole router.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use taskboard_core::sessions::{Session, SessionError, SessionStore, SessionToken};
use taskboard_domain::UserId;

use crate::{ApiError, CookiePolicy};

/// Application state that can authenticate requests.
pub trait HasSessions {
    fn sessions(&self) -> &SessionStore;
    fn cookie_policy(&self) -> &CookiePolicy;
}

/// The signed-in user of this request. Extracting it answers 401 when there is no valid session.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user_id: UserId,
    pub session: Session,
    pub token: SessionToken,
}

/// Why a request is not authenticated.
#[derive(Debug)]
pub enum AuthError {
    Missing,
    Store(SessionError),
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        match self {
            AuthError::Missing => ApiError::Unauthenticated.into_response(),
            AuthError::Store(err) => ApiError::internal(err).into_response(),
        }
    }
}

impl<S: HasSessions + Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = state
            .cookie_policy()
            .read(&parts.headers)
            .and_then(SessionToken::from_cookie)
            .ok_or(AuthError::Missing)?;
        let session = state
            .sessions()
            .authenticate(&token)
            .await
            .map_err(AuthError::Store)?
            .ok_or(AuthError::Missing)?;
        tracing::Span::current().record("user_id", tracing::field::display(session.user_id));
        Ok(Self {
            user_id: session.user_id,
            session,
            token,
        })
    }
}
