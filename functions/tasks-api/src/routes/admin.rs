//! The administrators' routes: everyone's accounts, deactivation and reactivation, naming other
//! administrators. Anyone else gets `403`.

use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;
use taskboard_domain::{FieldError, UserId};
use taskboard_http::{ApiError, ApiJson, Authenticated, not_null};
use taskboard_mysql::users::Account;

use crate::app::TasksState;
use crate::respond::{Items, json, path_id, relay};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPatchBody {
    #[serde(default, deserialize_with = "taskboard_http::present")]
    deactivated: Option<Option<bool>>,
    #[serde(default, deserialize_with = "taskboard_http::present")]
    is_admin: Option<Option<bool>>,
}

/// The body, every field sent a value.
struct AccountPatch {
    deactivated: Option<bool>,
    is_admin: Option<bool>,
}

async fn admin(state: &TasksState, who: UserId) -> Result<Account, ApiError> {
    match state.0.users.by_id(who).await.map_err(ApiError::internal)? {
        Some(me) if me.user.is_admin && !me.deactivated => Ok(me),
        _ => Err(ApiError::Forbidden(
            "Only administrators can manage accounts.".into(),
        )),
    }
}

pub async fn list_accounts(
    State(state): State<TasksState>,
    auth: Authenticated,
) -> Result<Response, ApiError> {
    admin(&state, auth.user_id).await?;
    let items = state.0.users.all().await.map_err(ApiError::internal)?;
    Ok(json(StatusCode::OK, &Items { items }))
}

pub async fn update_account(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AccountPatchBody>,
) -> Result<Response, ApiError> {
    let me = admin(&state, auth.user_id).await?;
    let id = path_id(&id, UserId::parse)?;
    let body = AccountPatch {
        deactivated: not_null("deactivated", body.deactivated)?,
        is_admin: not_null("is_admin", body.is_admin)?,
    };
    if body.deactivated.is_none() && body.is_admin.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "body",
            "send deactivated or is_admin",
        )]));
    }
    if id == me.user.id && (body.deactivated == Some(true) || body.is_admin == Some(false)) {
        return Err(ApiError::Conflict {
            slug: "self",
            detail: "Ask another administrator to do this to your own account.".into(),
        });
    }
    if state
        .0
        .users
        .by_id(id)
        .await
        .map_err(ApiError::internal)?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    if let Some(is_admin) = body.is_admin {
        (state.0.users)
            .set_admin(id, is_admin)
            .await
            .map_err(ApiError::internal)?;
    }
    if let Some(deactivated) = body.deactivated {
        let appended = (state.0.offboarding)
            .set_deactivated(auth.user_id, id, deactivated)
            .await
            .map_err(ApiError::internal)?
            .ok_or(ApiError::NotFound)?;
        if deactivated {
            // The account is already refused everywhere (every query joins on it being active);
            // ending its sessions makes its next request a 401 instead of a 404.
            let ended = (state.0.sessions)
                .revoke_all(id)
                .await
                .map_err(ApiError::internal)?;
            tracing::info!(user = %id, sessions = ended, unassigned = appended.len(), "account deactivated");
        } else {
            tracing::info!(user = %id, "account reactivated");
        }
        relay(&state, &appended).await;
    }
    let account = (state.0.users)
        .by_id(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)?;
    Ok(json(StatusCode::OK, &account))
}
