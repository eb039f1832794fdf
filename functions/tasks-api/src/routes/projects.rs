//! The project routes: projects, their members, and invitations to join them. A non-member gets
//! `404` for all of it, exactly as for a project that does not exist.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;
use taskboard_core::account_mail::AccountMail;
use taskboard_core::tokens::SecretToken;
use taskboard_domain::{
    EmailAddress, FieldError, InvitationId, ProjectId, ProjectName, ProjectRole, UserId,
};
use taskboard_http::{ApiError, ApiJson, Authenticated, not_null};
use taskboard_mysql::invitations::{Invitation, NewInvitation};

use crate::app::TasksState;
use crate::projects::{ProjectPatch, ProjectView};
use crate::respond::{Items, archived, cap, json, member_refusal, path_id, relay};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProjectBody {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatchBody {
    #[serde(default, deserialize_with = "taskboard_http::present")]
    name: Option<Option<String>>,
    #[serde(default, deserialize_with = "taskboard_http::present")]
    archived: Option<Option<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    email: String,
    #[serde(default, deserialize_with = "taskboard_http::present")]
    role: Option<Option<String>>,
}

fn project_name(raw: &str) -> Result<ProjectName, ApiError> {
    ProjectName::parse(raw).map_err(|e| ApiError::field("name", e))
}

fn role(raw: &str) -> Result<ProjectRole, ApiError> {
    ProjectRole::parse(raw).map_err(|e| ApiError::field("role", e))
}

/// The project as the caller sees it: `404` unless they are a member.
async fn visible(state: &TasksState, who: UserId, raw: &str) -> Result<ProjectView, ApiError> {
    (state.0.projects)
        .get(who, path_id(raw, ProjectId::parse)?)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

/// The project, if the caller is one of its owners: `404` for non-members, `403` for members.
async fn owned(state: &TasksState, who: UserId, raw: &str) -> Result<ProjectView, ApiError> {
    let project = visible(state, who, raw).await?;
    if project.role != ProjectRole::Owner {
        return Err(member_refusal(crate::projects::MemberRefusal::NotOwner));
    }
    Ok(project)
}

/// Count an invitation sent or resent against the project's hourly cap.
async fn cap_invitations(state: &TasksState, project: &ProjectView) -> Result<(), ApiError> {
    let subject = project.id.to_string();
    cap(state, "invitations", &subject, state.0.invitation_cap).await
}

pub async fn list_projects(
    State(state): State<TasksState>,
    auth: Authenticated,
) -> Result<Response, ApiError> {
    let items = (state.0.projects)
        .mine(auth.user_id)
        .await
        .map_err(ApiError::internal)?;
    Ok(json(StatusCode::OK, &Items { items }))
}

pub async fn create_project(
    State(state): State<TasksState>,
    auth: Authenticated,
    ApiJson(body): ApiJson<NewProjectBody>,
) -> Result<Response, ApiError> {
    let name = project_name(&body.name)?;
    let project = (state.0.projects)
        .create(auth.user_id, &name)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(project_id = %project.id, "project created");
    let mut response = json(StatusCode::CREATED, &project);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/projects/{}", project.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn get_project(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let project = visible(&state, auth.user_id, &id).await?;
    Ok(json(StatusCode::OK, &project))
}

pub async fn update_project(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProjectPatchBody>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, ProjectId::parse)?;
    let patch = ProjectPatch {
        name: not_null("name", body.name)?
            .as_deref()
            .map(project_name)
            .transpose()?,
        archived: not_null("archived", body.archived)?,
    };
    if patch.name.is_none() && patch.archived.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "body",
            "send name or archived",
        )]));
    }
    let project = (state.0.projects)
        .update(auth.user_id, id, &patch)
        .await
        .map_err(ApiError::internal)?
        .map_err(member_refusal)?;
    Ok(json(StatusCode::OK, &project))
}

pub async fn list_members(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let items = (state.0.projects)
        .members(auth.user_id, path_id(&id, ProjectId::parse)?)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)?;
    Ok(json(StatusCode::OK, &Items { items }))
}

pub async fn set_member_role(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path((id, user)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<Response, ApiError> {
    let (id, user) = (
        path_id(&id, ProjectId::parse)?,
        path_id(&user, UserId::parse)?,
    );
    let role = role(&body.role)?;
    (state.0.projects)
        .set_role(auth.user_id, id, user, role)
        .await
        .map_err(ApiError::internal)?
        .map_err(member_refusal)?;
    let members = (state.0.projects)
        .members(auth.user_id, id)
        .await
        .map_err(ApiError::internal)?
        .unwrap_or_default();
    let member = members
        .into_iter()
        .find(|m| m.id == user)
        .ok_or(ApiError::NotFound)?;
    Ok(json(StatusCode::OK, &member))
}

pub async fn remove_member(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path((id, user)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, user) = (
        path_id(&id, ProjectId::parse)?,
        path_id(&user, UserId::parse)?,
    );
    let appended = (state.0.offboarding)
        .remove_member(id, auth.user_id, user)
        .await
        .map_err(ApiError::internal)?
        .map_err(member_refusal)?;
    tracing::info!(project_id = %id, member = %user, unassigned = appended.len(), "member removed");
    relay(&state, &appended).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn list_invitations(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let project = owned(&state, auth.user_id, &id).await?;
    let items = (state.0.invitations)
        .pending(project.id)
        .await
        .map_err(ApiError::internal)?;
    Ok(json(StatusCode::OK, &Items { items }))
}

pub async fn invite(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<Response, ApiError> {
    let project = owned(&state, auth.user_id, &id).await?;
    let email = EmailAddress::parse(&body.email).map_err(|e| ApiError::field("email", e))?;
    let role = not_null("role", body.role)?
        .as_deref()
        .map_or(Ok(ProjectRole::Member), role)?;
    if project.archived {
        return Err(archived());
    }
    let members = (state.0.projects)
        .members(auth.user_id, project.id)
        .await
        .map_err(ApiError::internal)?
        .unwrap_or_default();
    if members.iter().any(|m| m.email == email) {
        return Err(ApiError::Conflict {
            slug: "already-member",
            detail: "This person is already a member of the project.".into(),
        });
    }
    cap_invitations(&state, &project).await?;
    let token = SecretToken::generate().map_err(ApiError::internal)?;
    let new = NewInvitation {
        project: Some(project.id),
        email,
        role,
        grants_admin: false,
        invited_by: Some(auth.user_id),
    };
    let invitation = (state.0.invitations)
        .create(&new, &token.storage_id())
        .await
        .map_err(ApiError::internal)?;
    send_invitation(&state, &invitation, &token).await?;
    tracing::info!(project_id = %project.id, invitation_id = %invitation.id, "invitation sent");
    Ok(json(StatusCode::CREATED, &invitation))
}

pub async fn resend_invitation(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path((id, invitation)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let project = owned(&state, auth.user_id, &id).await?;
    let invitation = path_id(&invitation, InvitationId::parse)?;
    if project.archived {
        return Err(archived());
    }
    cap_invitations(&state, &project).await?;
    let token = SecretToken::generate().map_err(ApiError::internal)?;
    let invitation = (state.0.invitations)
        .reissue(project.id, invitation, &token.storage_id())
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)?;
    send_invitation(&state, &invitation, &token).await?;
    Ok(json(StatusCode::OK, &invitation))
}

pub async fn revoke_invitation(
    State(state): State<TasksState>,
    auth: Authenticated,
    Path((id, invitation)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let project = owned(&state, auth.user_id, &id).await?;
    let invitation = path_id(&invitation, InvitationId::parse)?;
    if !(state.0.invitations)
        .revoke(project.id, invitation)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn send_invitation(
    state: &TasksState,
    invitation: &Invitation,
    token: &SecretToken,
) -> Result<(), ApiError> {
    let mail = AccountMail::Invitation {
        project: invitation.project.as_ref().map(|p| &p.name),
        inviter: invitation.invited_by.as_ref().map(|i| &i.name),
        role: invitation.role,
        token,
    };
    (state.0.account_mail)
        .send(&mail, &invitation.email)
        .await
        .map_err(ApiError::internal)
}
