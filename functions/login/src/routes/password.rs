//! Proving an address, and the password's life: forgot, reset, change. A reset link ends every
//! session of the account and lifts its sign-in lock-out; a change ends every other session.
//! Both mail "your password was changed". Proving an address again (`email/confirm`, then the
//! link) also restarts task e-mail to it after a bounce or complaint stopped it.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Deserialize;
use taskboard_core::account_mail::AccountMail;
use taskboard_core::tokens::SecretToken;
use taskboard_domain::{EmailAddress, FieldError};
use taskboard_http::{ApiError, ApiJson, Authenticated};
use taskboard_mysql::account_tokens::Purpose;
use taskboard_mysql::users::Account;

use crate::accounts;
use crate::app::LoginState;
use crate::password::{LoginPassword, NewPassword};
use crate::respond::{ClientAddrOf, accepted_202, admit_mail, steady};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotBody {
    email: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    token: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    current_password: String,
    new_password: String,
}

/// A token as a link carries it; anything of another shape is simply an invalid link.
pub fn token(raw: &str) -> Result<SecretToken, ApiError> {
    SecretToken::parse(raw.trim()).ok_or(ApiError::InvalidToken)
}

pub async fn verify(
    State(state): State<LoginState>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Response, ApiError> {
    let token = token(&body.token)?;
    let user = (state.0.tokens)
        .consume(Purpose::Verify, &token.storage_id())
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::InvalidToken)?;
    state
        .0
        .users
        .mark_verified(user)
        .await
        .map_err(ApiError::internal)?;
    // The link reached them: whatever bounced before, their address works now.
    let account = state
        .0
        .users
        .by_id(user)
        .await
        .map_err(ApiError::internal)?;
    // Best effort: the link is spent either way, and a suppression left in place shows the person
    // the notice again, with its button for another link.
    if let Some(account) = account
        && let Err(err) = state.0.suppressions.lift(&account.user.email).await
    {
        tracing::warn!(user_id = %user, error = %err, "could not lift the address's suppression");
    }
    tracing::info!(user_id = %user, "address verified");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Send the signed-in person a link that proves their address again: how task e-mail restarts
/// after a bounce or a complaint stopped it. Counts against the address's hourly account-mail cap.
pub async fn confirm_email(
    State(state): State<LoginState>,
    auth: Authenticated,
) -> Result<Response, ApiError> {
    let account = state
        .0
        .users
        .by_id(auth.user_id)
        .await
        .map_err(ApiError::internal)?
        .filter(|a| !a.deactivated)
        .ok_or(ApiError::Unauthenticated)?;
    admit_mail(&state, &account.user.email).await?;
    let token = SecretToken::generate().map_err(ApiError::internal)?;
    (state.0.tokens)
        .issue(account.user.id, Purpose::Verify, &token.storage_id())
        .await
        .map_err(ApiError::internal)?;
    let mail = AccountMail::Reconfirm {
        name: &account.user.name,
        token: &token,
    };
    state
        .0
        .mail
        .send(&mail, &account.user.email)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(user_id = %account.user.id, "confirmation link sent");
    Ok(accepted_202("check-your-mail"))
}

/// Always the same `202`, in the same time: the answer never tells whether the address has an
/// account.
pub async fn forgot(
    State(state): State<LoginState>,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<Response, ApiError> {
    let email = EmailAddress::parse(&body.email).map_err(|e| ApiError::field("email", e))?;
    admit_mail(&state, &email).await?;
    steady(async {
        let found = state
            .0
            .users
            .by_email(&email)
            .await
            .map_err(ApiError::internal)?;
        let Some(account) = found.filter(|a| !a.deactivated) else {
            return Ok::<_, ApiError>(());
        };
        let token = SecretToken::generate().map_err(ApiError::internal)?;
        (state.0.tokens)
            .issue(account.user.id, Purpose::Reset, &token.storage_id())
            .await
            .map_err(ApiError::internal)?;
        let mail = AccountMail::Reset {
            name: &account.user.name,
            token: &token,
        };
        state
            .0
            .mail
            .send(&mail, &email)
            .await
            .map_err(ApiError::internal)
    })
    .await?;
    Ok(accepted_202("check-your-mail"))
}

pub async fn reset(
    State(state): State<LoginState>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Response, ApiError> {
    let password = NewPassword::parse(body.password).map_err(|e| ApiError::field("password", e))?;
    let token = token(&body.token)?;
    let user = (state.0.tokens)
        .consume(Purpose::Reset, &token.storage_id())
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::InvalidToken)?;
    let account = (state.0.users)
        .by_id(user)
        .await
        .map_err(ApiError::internal)?
        .filter(|a| !a.deactivated)
        .ok_or(ApiError::InvalidToken)?;
    let hash = state
        .0
        .hasher
        .hash(&password)
        .await
        .map_err(ApiError::internal)?;
    (state.0.users)
        .set_password_hash(user, &hash)
        .await
        .map_err(ApiError::internal)?;
    // The link reached the mailbox: the address is proven too.
    state
        .0
        .users
        .mark_verified(user)
        .await
        .map_err(ApiError::internal)?;
    let ended = state
        .0
        .sessions
        .revoke_all(user)
        .await
        .map_err(ApiError::internal)?;
    (state.0.throttle)
        .clear_account(&account.user.email)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(user_id = %user, sessions = ended, "password reset");
    changed(&state, &account).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn change(
    State(state): State<LoginState>,
    ClientAddrOf(client): ClientAddrOf,
    auth: Authenticated,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let current = LoginPassword::parse(body.current_password)
        .map_err(|e| errors.push(FieldError::new("current_password", e)))
        .ok();
    let new = NewPassword::parse(body.new_password)
        .map_err(|e| errors.push(FieldError::new("new_password", e)))
        .ok();
    let (Some(current), Some(new)) = (current, new) else {
        return Err(ApiError::Validation(errors));
    };
    let me = (state.0.users)
        .by_id(auth.user_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::Unauthenticated)?;
    let email = &me.user.email;
    // A stolen session must not become a way to guess the password: the same counters as sign-in.
    if let Some(retry_after_secs) = (state.0.throttle)
        .admit(email, &client)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let checked = accounts::check_credentials(&state.0.users, &state.0.hasher, email, &current)
        .await
        .map_err(ApiError::internal)?;
    if checked.is_none() {
        return Err(ApiError::field(
            "current_password",
            "this is not your current password",
        ));
    }
    let _ = state.0.throttle.succeeded(email, &client).await;
    let hash = state
        .0
        .hasher
        .hash(&new)
        .await
        .map_err(ApiError::internal)?;
    // The other sessions end first: if that fails, nothing changed and a retry works; the other
    // way round, a failure after the new hash is stored would leave them signed in while the
    // retry is refused ("not your current password").
    let ended = (state.0.sessions)
        .revoke_others(me.user.id, &auth.token)
        .await
        .map_err(ApiError::internal)?;
    (state.0.users)
        .set_password_hash(me.user.id, &hash)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(sessions = ended, "password changed");
    changed(&state, &me).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Tell the account's owner; the password is already changed, so a failed mail is only logged.
async fn changed(state: &LoginState, account: &Account) {
    let mail = AccountMail::PasswordChanged {
        name: &account.user.name,
    };
    if let Err(err) = state.0.mail.send(&mail, &account.user.email).await {
        tracing::warn!(error = %err, "could not send the password-changed e-mail");
    }
}
