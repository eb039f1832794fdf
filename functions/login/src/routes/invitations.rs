//! Following an invitation link: see what it is for, then accept it, signed in (an existing
//! account joins) or not (name and password make the account, or an existing one joins). Accepted
//! without a session, the answer is the same `202` whether or not the address had an account.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use taskboard_domain::{DisplayName, FieldError};
use taskboard_http::AuthError;
use taskboard_http::{ApiError, ApiJson, Authenticated};
use taskboard_mysql::invitations::{Joiner, Refused};

use crate::app::LoginState;
use crate::password::NewPassword;
use crate::respond::{accepted_202, no_store, steady};
use crate::routes::password::token;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    token: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// What the person holding the link sees: no ids beyond the project's, nothing about the inviter
/// but their name.
#[derive(Serialize)]
struct Preview {
    project: Option<taskboard_domain::ProjectRef>,
    email: taskboard_domain::EmailAddress,
    role: taskboard_domain::ProjectRole,
    invited_by: Option<InviterName>,
    expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize)]
struct InviterName {
    name: DisplayName,
}

#[derive(Serialize)]
struct Joined {
    project: Option<taskboard_domain::ProjectRef>,
}

pub async fn preview(
    State(state): State<LoginState>,
    ApiJson(body): ApiJson<PreviewBody>,
) -> Result<Response, ApiError> {
    let token = token(&body.token)?;
    let invitation = (state.0.invitations)
        .find(&token.storage_id())
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::InvalidToken)?;
    let preview = Preview {
        project: invitation.project,
        email: invitation.email,
        role: invitation.role,
        invited_by: invitation.invited_by.map(|i| InviterName { name: i.name }),
        expires_at: invitation.expires_at,
    };
    Ok(([no_store()], Json(preview)).into_response())
}

pub async fn accept(
    State(state): State<LoginState>,
    auth: Result<Authenticated, AuthError>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Response, ApiError> {
    let token = token(&body.token)?;
    let hash = token.storage_id();
    if let Ok(auth) = auth {
        let accepted = (state.0.invitations)
            .accept(&hash, Joiner::SignedIn(auth.user_id))
            .await
            .map_err(ApiError::internal)?
            .map_err(refused)?;
        tracing::info!(user_id = %accepted.user_id, "invitation accepted");
        return Ok((
            [no_store()],
            Json(Joined {
                project: accepted.project,
            }),
        )
            .into_response());
    }
    let mut errors = Vec::new();
    let name = DisplayName::parse(body.name.as_deref().unwrap_or_default())
        .map_err(|e| errors.push(FieldError::new("name", e)))
        .ok();
    let password = NewPassword::parse(body.password.unwrap_or_default())
        .map_err(|e| errors.push(FieldError::new("password", e)))
        .ok();
    let (Some(name), Some(password)) = (name, password) else {
        return Err(ApiError::Validation(errors));
    };
    let accepted = steady(async {
        let password_hash = state
            .0
            .hasher
            .hash(&password)
            .await
            .map_err(ApiError::internal)?;
        (state.0.invitations)
            .accept(
                &hash,
                Joiner::Visitor {
                    name: &name,
                    password_hash: &password_hash,
                },
            )
            .await
            .map_err(ApiError::internal)?
            .map_err(refused)
    })
    .await?;
    tracing::info!(user_id = %accepted.user_id, created = accepted.created, "invitation accepted");
    Ok(accepted_202("accepted"))
}

fn refused(refusal: Refused) -> ApiError {
    match refusal {
        Refused::InvalidToken => ApiError::InvalidToken,
        Refused::OtherAccount => ApiError::Denied {
            slug: "invitation-other-account",
            detail:
                "This invitation is for another e-mail address: sign out, then open the link again."
                    .into(),
        },
    }
}
