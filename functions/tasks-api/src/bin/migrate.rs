//! The migrate Lambda: applies the MySQL migrations (embedded from `migrations/`). The deploy
//! workflow invokes it synchronously after each deploy and fails if it fails. Migrations are
//! written expand-then-contract, so the code deployed just before them keeps working. Given
//! `INITIAL_ADMIN_EMAIL` (the deploy parameter), it then mails that address an invitation to
//! become the first administrator, while the deployment has none.

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use taskboard_core::account_mail::{AccountMailConfig, AccountMailer};
use taskboard_core::aws;
use taskboard_core::config::{self, ProcessEnv};
use taskboard_core::mail::Mailer;
use taskboard_core::telemetry;
use taskboard_domain::{EmailAddress, SiteUrl};
use taskboard_mysql::db;
use taskboard_mysql::invitations::InvitationStore;
use taskboard_mysql::users::UserStore;
use taskboard_tasks_api::first_admin::{FirstAdminError, invite_first_admin};

#[derive(Serialize)]
struct Applied {
    latest_version: Option<i64>,
    migrations: usize,
    first_admin_invited: bool,
    /// Why the first administrator's invitation could not be mailed (the deploy shows a warning;
    /// the next run tries again). Usually SES: the sender is not verified yet, or the account is
    /// in the sandbox and the recipient is not verified.
    first_admin_error: Option<String>,
}

/// What inviting the first administrator needs, when `INITIAL_ADMIN_EMAIL` is set.
fn first_admin_setup() -> Result<Option<(EmailAddress, AccountMailer)>, config::ConfigError> {
    if config::Env::get(&ProcessEnv, "INITIAL_ADMIN_EMAIL").is_none() {
        return Ok(None);
    }
    let email: EmailAddress = config::required_parsed(&ProcessEnv, "INITIAL_ADMIN_EMAIL")?;
    let site: SiteUrl = config::required_parsed(&ProcessEnv, "SITE_URL")?;
    let mail = AccountMailConfig::from_env(&ProcessEnv)?;
    Ok(Some((
        email,
        mail.mailer(site, Mailer::lazy_ses(), aws::lazy_dynamo()),
    )))
}

// A Lambda process handles one event at a time: no worker threads to start (docs/performance.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let url = config::required(&ProcessEnv, "DATABASE_URL")
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let pool = db::lazy_pool(&url, 1)?;
    let first_admin =
        first_admin_setup().inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<serde_json::Value>| {
        let pool = pool.clone();
        let first_admin = first_admin.clone();
        async move {
            db::MIGRATOR.run(&pool).await.map_err(|e| {
                Diagnostic::from(Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            })?;
            let latest_version = db::MIGRATOR.iter().map(|m| m.version).max();
            tracing::info!(?latest_version, "migrations applied");
            let (mut first_admin_invited, mut first_admin_error) = (false, None);
            if let Some((email, mailer)) = &first_admin {
                match invite_first_admin(
                    &UserStore::new(pool.clone()),
                    &InvitationStore::new(pool.clone()),
                    mailer,
                    email,
                )
                .await
                {
                    Ok(invited) => first_admin_invited = invited,
                    // The migrations are applied; a mail SES will not send yet must not fail the
                    // deploy (it is retried on the next run).
                    Err(FirstAdminError::Mail(e)) => {
                        tracing::warn!(error = %e, "the first administrator's invitation was not sent");
                        first_admin_error = Some(e.to_string());
                    }
                    Err(e) => {
                        return Err(Diagnostic::from(
                            Box::new(e) as Box<dyn std::error::Error + Send + Sync>
                        ));
                    }
                }
                tracing::info!(first_admin_invited, "first administrator checked");
            }
            Ok::<_, Diagnostic>(Applied {
                latest_version,
                migrations: db::MIGRATOR.iter().count(),
                first_admin_invited,
                first_admin_error,
            })
        }
    }))
    .await
}
