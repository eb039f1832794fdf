//! The migrate Lambda: applies the MySQL migrations (embedded from `migrations/`). The deploy
//! workflow invokes it synchronously before the new code goes live and fails if it fails.
//! Migrations are written expand-then-contract, so the code running meanwhile keeps working.
//! Given `INITIAL_ADMIN_EMAIL` (the deploy parameter), it then mails that address an invitation
//! to become the first administrator, while the deployment has none.
//!
//! It signs in as the migration user (`taskboard_migrate`, IAM), the only one allowed DDL. On the
//! first deploy that user does not exist yet: the answer says `database_users_missing`, and the
//! workflow invokes it once more with the master user's password from Secrets Manager in the
//! event (`{"bootstrap": {"user": …, "password": …}}`), which it uses for one connection to
//! create the migration and application users ([`taskboard_mysql::roles`]) and never stores.

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::{Deserialize, Serialize};
use sqlx::Connection;
use taskboard_core::account_mail::{AccountMailConfig, AccountMailer};
use taskboard_core::aws;
use taskboard_core::config::{self, ProcessEnv};
use taskboard_core::mail::Mailer;
use taskboard_core::telemetry;
use taskboard_domain::{EmailAddress, SiteUrl};
use taskboard_mysql::connect::{Database, DatabaseSettings};
use taskboard_mysql::db;
use taskboard_mysql::invitations::InvitationStore;
use taskboard_mysql::roles::{RoleAuth, RoleNames, ensure_roles};
use taskboard_mysql::users::UserStore;
use taskboard_tasks_api::first_admin::{FirstAdminError, invite_first_admin};

/// What the deploy sends: nothing, or once, the master user's sign-in.
#[derive(Deserialize, Default)]
struct MigrateEvent {
    #[serde(default)]
    bootstrap: Option<MasterSignIn>,
}

#[derive(Deserialize)]
struct MasterSignIn {
    user: String,
    password: String,
}

#[derive(Serialize, Default)]
struct Applied {
    /// The migration user could not sign in (the first deploy): nothing was applied; invoke again
    /// with `bootstrap`.
    database_users_missing: bool,
    /// This run created or restated the database users.
    database_users_created: bool,
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
    let settings = DatabaseSettings::from_env(&ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let app_user = config::Env::get(&ProcessEnv, "DATABASE_APP_USER")
        .unwrap_or_else(|| "taskboard_app".into());
    let database = Database::lazy(&settings, 1);
    let first_admin =
        first_admin_setup().inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<MigrateEvent>| {
        let (database, settings, app_user) = (database.clone(), settings.clone(), app_user.clone());
        let first_admin = first_admin.clone();
        async move {
            let boxed = |e: Box<dyn std::error::Error + Send + Sync>| Diagnostic::from(e);
            let mut applied = Applied::default();
            if let Some(master) = &event.payload.bootstrap {
                create_database_users(&settings, &app_user, master)
                    .await
                    .map_err(boxed)?;
                applied.database_users_created = true;
            }
            database.refresh_credentials().await.map_err(|e| boxed(Box::new(e)))?;
            let pool = database.pool().clone();
            if let Err(err) = db::MIGRATOR.run(&pool).await {
                if is_sign_in_refused(&err) && !applied.database_users_created {
                    tracing::warn!(user = settings.user(), "the migration user cannot sign in yet");
                    applied.database_users_missing = true;
                    return Ok(applied);
                }
                return Err(boxed(Box::new(err)));
            }
            let latest_version = db::MIGRATOR.iter().map(|m| m.version).max();
            tracing::info!(?latest_version, "migrations applied");
            let (first_admin_invited, first_admin_error) = (&mut applied.first_admin_invited, &mut applied.first_admin_error);
            if let Some((email, mailer)) = &first_admin {
                match invite_first_admin(
                    &UserStore::new(pool.clone()),
                    &InvitationStore::new(pool.clone()),
                    mailer,
                    email,
                )
                .await
                {
                    Ok(invited) => *first_admin_invited = invited,
                    // The migrations are applied; a mail SES will not send yet must not fail the
                    // deploy (it is retried on the next run).
                    Err(FirstAdminError::Mail(e)) => {
                        tracing::warn!(error = %e, "the first administrator's invitation was not sent");
                        *first_admin_error = Some(e.to_string());
                    }
                    Err(e) => {
                        return Err(Diagnostic::from(
                            Box::new(e) as Box<dyn std::error::Error + Send + Sync>
                        ));
                    }
                }
                tracing::info!(first_admin_invited, "first administrator checked");
            }
            applied.latest_version = latest_version;
            applied.migrations = db::MIGRATOR.iter().count();
            Ok::<_, Diagnostic>(applied)
        }
    }))
    .await
}

/// Sign in once as the master user and create the migration and application users, signing in
/// with IAM (on RDS) as the settings do.
async fn create_database_users(
    settings: &DatabaseSettings,
    app_user: &str,
    master: &MasterSignIn,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if !settings.uses_iam() {
        return Err("a bootstrap creates IAM-authenticated users; set DATABASE_AUTH=iam (locally, `make dev` creates its users)".into());
    }
    let database = settings
        .database()
        .ok_or("DATABASE_URL names no database")?;
    let mut conn =
        sqlx::MySqlConnection::connect_with(&settings.as_user(&master.user, &master.password))
            .await?;
    let names = RoleNames {
        database,
        app: app_user,
        migrate: settings.user(),
    };
    ensure_roles(&mut conn, &names, RoleAuth::Iam).await?;
    conn.close().await?;
    tracing::info!(
        app = app_user,
        migrate = settings.user(),
        "database users ready"
    );
    Ok(())
}

/// The server refused the sign-in (MySQL error 1045, SQLSTATE 28000): the user does not exist or
/// may not use IAM yet.
fn is_sign_in_refused(err: &sqlx::migrate::MigrateError) -> bool {
    let sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(db)) = err else {
        return false;
    };
    db.code().as_deref() == Some("28000")
}
