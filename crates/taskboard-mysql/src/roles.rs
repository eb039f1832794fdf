//! The two database users the deployment runs as:
//!
//! - the **application user** (`taskboard_app`): login, tasks-api and the relay. It reads and
//!   writes rows and can change no schema, so a flaw in a request path cannot drop a table.
//! - the **migration user** (`taskboard_migrate`): only the migrate function; every privilege on
//!   the application's database (DDL included), none on others, and it cannot grant.
//!
//! On RDS both sign in with IAM tokens ([`crate::iam`]). The first deploy creates them once,
//! signed in as the master user with the password RDS keeps in Secrets Manager (the deploy
//! workflow passes it to the migrate function for that one call; see `docs/operations.md`).
//! Locally and in tests they get passwords instead, through the same statements.

use sqlx::{Executor, MySqlConnection};

/// How the two users sign in.
pub enum RoleAuth<'a> {
    /// RDS's IAM plugin: the user presents a token, never a password.
    Iam,
    /// Local runs and tests: a password each.
    Passwords { app: &'a str, migrate: &'a str },
}

/// The names, checked to be plain identifiers (they are spliced into statements).
pub struct RoleNames<'a> {
    pub database: &'a str,
    pub app: &'a str,
    pub migrate: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("{0:?} is not a plain identifier (letters, digits and _)")]
    BadName(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// MySQL allows user names of 32 characters, database names of 64.
fn identifier(name: &str, max: usize) -> Result<&str, RoleError> {
    if !name.is_empty()
        && name.len() <= max
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(name)
    } else {
        Err(RoleError::BadName(name.to_owned()))
    }
}

/// A string literal's content: quotes doubled, which holds with or without
/// `NO_BACKSLASH_ESCAPES`; a backslash is refused rather than escaped for one mode only.
fn quoted(secret: &str) -> Result<String, RoleError> {
    if secret.contains('\\') || secret.contains('\0') {
        return Err(RoleError::BadName(
            "a password with a backslash or NUL".into(),
        ));
    }
    Ok(secret.replace('\'', "''"))
}

/// Create the two users if they are missing and (re)state their privileges. Safe to run again:
/// an existing user keeps its sign-in; the privileges end as listed here.
pub async fn ensure_roles(
    conn: &mut MySqlConnection,
    names: &RoleNames<'_>,
    auth: RoleAuth<'_>,
) -> Result<(), RoleError> {
    let database = identifier(names.database, 64)?;
    let app = identifier(names.app, 32)?;
    let migrate = identifier(names.migrate, 32)?;
    let (app_auth, migrate_auth) = match auth {
        // RDS accepts a token only over TLS; say so in the account too.
        RoleAuth::Iam => (
            "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL".to_owned(),
            "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL".to_owned(),
        ),
        RoleAuth::Passwords { app, migrate } => (
            format!("IDENTIFIED BY '{}'", quoted(app)?),
            format!("IDENTIFIED BY '{}'", quoted(migrate)?),
        ),
    };
    let statements = [
        format!(
            "CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ),
        format!("CREATE USER IF NOT EXISTS '{migrate}'@'%' {migrate_auth}"),
        format!("CREATE USER IF NOT EXISTS '{app}'@'%' {app_auth}"),
        format!("GRANT ALL PRIVILEGES ON `{database}`.* TO '{migrate}'@'%'"),
        // Row access only: no CREATE, ALTER, DROP, INDEX, REFERENCES, LOCK TABLES or GRANT.
        format!("REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{app}'@'%'"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON `{database}`.* TO '{app}'@'%'"),
    ];
    for statement in statements {
        conn.execute(sqlx::AssertSqlSafe(statement)).await?;
    }
    Ok(())
}

/// Drop the two users (tests clean up after themselves; server users outlive databases).
pub async fn drop_roles(
    conn: &mut MySqlConnection,
    names: &RoleNames<'_>,
) -> Result<(), RoleError> {
    for user in [identifier(names.app, 32)?, identifier(names.migrate, 32)?] {
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DROP USER IF EXISTS '{user}'@'%'"
        )))
        .await?;
    }
    Ok(())
}
