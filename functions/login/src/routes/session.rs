//! Signing up, in and out, and "who am I".

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use serde::Deserialize;
use taskboard_core::account_mail::AccountMail;
use taskboard_core::sessions::SessionToken;
use taskboard_core::suppressions::Suppression;
use taskboard_core::tokens::SecretToken;
use taskboard_domain::time::EpochSecs;
use taskboard_domain::{SignupPolicy, User};
use taskboard_http::{ApiError, ApiJson, Authenticated};
use taskboard_mysql::account_tokens::Purpose;
use taskboard_mysql::users::NewAccount;

use crate::accounts::{self, CheckError, RegisterError, Registration, SignIn};
use crate::app::LoginState;
use crate::respond::{ClientAddrOf, accepted_202, admit_mail, no_store, steady};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
}

/// Self-service sign-up, where the policy allows it. The answer is the same whether or not the
/// address already has an account: a new one gets a verification link, an existing one a note.
pub async fn signup(
    State(state): State<LoginState>,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<Response, ApiError> {
    let registration = Registration::parse(&body.email, &body.name, body.password)
        .map_err(ApiError::Validation)?;
    match &state.0.signup {
        SignupPolicy::Invite => return Err(ApiError::SignupClosed),
        policy if !policy.admits(&registration.email) => {
            return Err(ApiError::Denied {
                slug: "signup-domain",
                detail: "Sign-up is open to addresses of this organisation's domains only; ask a project owner to invite you.".into(),
            });
        }
        _ => {}
    }
    admit_mail(&state, &registration.email).await?;
    steady(register_or_remind(&state, &registration)).await?;
    Ok(accepted_202("check-your-mail"))
}

async fn register_or_remind(
    state: &LoginState,
    registration: &Registration,
) -> Result<(), ApiError> {
    let created = accounts::register(
        &state.0.users,
        &state.0.hasher,
        registration,
        NewAccount::default(),
    )
    .await;
    let email = &registration.email;
    match created {
        Ok(user) => {
            tracing::info!(user_id = %user.id, "account created, awaiting verification");
            let token = SecretToken::generate().map_err(ApiError::internal)?;
            (state.0.tokens)
                .issue(user.id, Purpose::Verify, &token.storage_id())
                .await
                .map_err(ApiError::internal)?;
            let mail = AccountMail::Verify {
                name: &user.name,
                token: &token,
            };
            state
                .0
                .mail
                .send(&mail, email)
                .await
                .map_err(ApiError::internal)
        }
        Err(RegisterError::EmailTaken) => {
            let existing = state
                .0
                .users
                .by_email(email)
                .await
                .map_err(ApiError::internal)?;
            if let Some(account) = existing.filter(|a| !a.deactivated) {
                let mail = AccountMail::AlreadyRegistered {
                    name: &account.user.name,
                };
                state
                    .0
                    .mail
                    .send(&mail, email)
                    .await
                    .map_err(ApiError::internal)?;
            }
            Ok(())
        }
        Err(other) => Err(ApiError::internal(other)),
    }
}

pub async fn login(
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

    let account = accounts::check_credentials(&state.0.users, &state.0.hasher, &email, &password)
        .await
        .map_err(|e: CheckError| ApiError::internal(e))?;
    // A deactivated account is answered exactly like a wrong password.
    let Some(account) = account.filter(|a| !a.deactivated) else {
        // Logged without the address typed (it may be a password typed into the wrong field).
        tracing::warn!(client = %client.0, "sign-in failed");
        return Err(ApiError::InvalidCredentials);
    };
    if let Err(err) = state.0.throttle.succeeded(&email, &client).await {
        tracing::warn!(error = %err, "could not clear the attempt counters");
    }
    if !account.verified {
        return Err(ApiError::EmailUnverified);
    }
    tracing::info!(user_id = %account.user.id, "signed in");
    start_session(&state, account.user).await
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

pub async fn logout(
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
    Ok(signed_out(&state))
}

pub async fn logout_all(
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
    Ok(signed_out(&state))
}

/// `204` with the session cookie cleared.
fn signed_out(state: &LoginState) -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.0.cookies.clear())],
    )
        .into_response()
}

pub async fn me(
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
    // Whether task e-mail to their address has stopped (it bounced or they marked one as spam),
    // so the site can say so. Unreadable: say nothing rather than fail every page load.
    let suppression = match state.0.suppressions.get(&account.user.email).await {
        Ok(found) => found,
        Err(err) => {
            tracing::warn!(error = %err, "suppression list unavailable");
            None
        }
    };
    let me = Me {
        user: account.user,
        mail_stopped: suppression.map(MailStopped::from),
    };
    Ok(([no_store()], Json(me)).into_response())
}

/// The signed-in person, and whether their task e-mail has stopped.
#[derive(serde::Serialize)]
struct Me {
    #[serde(flatten)]
    user: User,
    mail_stopped: Option<MailStopped>,
}

#[derive(serde::Serialize)]
struct MailStopped {
    /// `bounce` or `complaint`.
    reason: &'static str,
    /// When SES reported it (RFC 3339).
    since: String,
}

impl From<Suppression> for MailStopped {
    fn from(s: Suppression) -> Self {
        Self {
            reason: s.reason.as_str(),
            since: chrono::DateTime::from_timestamp(s.since, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}
