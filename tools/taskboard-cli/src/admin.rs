//! Bootstrap, migrations and account administration.

use sqlx::MySql;
use sqlx::migrate::MigrateDatabase;
use taskboard_core::bus;
use taskboard_core::config::{self, ConfigError, Env};
use taskboard_core::tables;
use taskboard_login::accounts::{self, RegisterError, Registration};
use taskboard_login::password::PasswordHasher;
use taskboard_mysql::db;
use taskboard_mysql::users::{NewAccount, UserStore};
use tokio::io::AsyncBufReadExt;

use crate::local_queue::{LocalQueue, QueueError};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Table(#[from] tables::CreateTableError),
    #[error("invalid account: {0}")]
    Invalid(String),
    #[error(transparent)]
    Register(#[from] RegisterError),
    #[error("reading the password from standard input: {0}")]
    Stdin(#[from] std::io::Error),
    #[error("event bus: {0}")]
    Bus(String),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Stream(#[from] taskboard_testing::stream::StreamError),
    #[error("SES: {0}")]
    Ses(String),
    #[error("mailbox: {0}")]
    Mailbox(String),
    #[error("dev server: {0}")]
    Serve(String),
}

/// Create what the code needs in the AWS endpoint (the emulator, locally): every table in
/// [`tables::ALL`] (named by its environment variable), the event bus, the sender's SES identity,
/// and the queue standing in for the notifier's Lambda target with the notifier's rule. Idempotent.
pub async fn bootstrap(env: &dyn Env) -> Result<LocalQueue, AdminError> {
    let sdk = taskboard_core::aws::load_config().await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    for spec in tables::ALL {
        let name = config::required(env, spec.env_var)?;
        tables::ensure_table(&client, spec, &name).await?;
        tracing::info!(table = %name, "table ready");
    }
    let bus = config::required(env, "EVENT_BUS_NAME")?;
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    bus::ensure_bus(&events, &bus)
        .await
        .map_err(|e| AdminError::Bus(e.to_string()))?;
    let queue_name = config::required(env, "LOCAL_NOTIFIER_QUEUE")?;
    let (queue, queue_arn) =
        LocalQueue::ensure(crate::local_queue::sqs_client(&sdk), &queue_name).await?;
    bus::ensure_notify_rule(&events, &bus, &format!("{bus}-"), &queue_arn)
        .await
        .map_err(|e| AdminError::Bus(e.to_string()))?;
    tracing::info!(bus = %bus, queue = %queue_name, "event bus and notifier rule ready");
    let sender: taskboard_domain::EmailAddress = config::required_parsed(env, "SENDER_ADDRESS")?;
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    match ses
        .create_email_identity()
        .email_identity(sender.as_str())
        .send()
        .await
    {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_already_exists_exception()) => {}
        Err(e) => return Err(AdminError::Ses(aws_sdk_sesv2::Error::from(e).to_string())),
    }
    tracing::info!(sender = %sender, "sender identity ready");
    Ok(queue)
}

/// Create the database named in `DATABASE_URL` if missing, then apply pending migrations.
pub async fn migrate(env: &dyn Env) -> Result<(), AdminError> {
    let url = config::required(env, "DATABASE_URL")?;
    if !MySql::database_exists(&url).await? {
        MySql::create_database(&url).await?;
        tracing::info!("database created");
    }
    let pool = db::lazy_pool(&url, 1)?;
    db::MIGRATOR.run(&pool).await?;
    tracing::info!("migrations applied");
    pool.close().await;
    Ok(())
}

/// Register an account, for the first administrator and closed teams.
pub async fn create_user(
    env: &dyn Env,
    email: &str,
    name: &str,
    is_admin: bool,
) -> Result<(), AdminError> {
    let url = config::required(env, "DATABASE_URL")?;
    eprintln!("Password for {email} (one line on standard input):");
    let mut password = String::new();
    tokio::io::BufReader::new(tokio::io::stdin())
        .read_line(&mut password)
        .await?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let registration = Registration::parse(email, name, password).map_err(|fields| {
        AdminError::Invalid(
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let users = UserStore::new(db::lazy_pool(&url, 1)?);
    let new = NewAccount {
        verified: true,
        is_admin,
    };
    let user = accounts::register(&users, &PasswordHasher::new(1), &registration, new).await?;
    let role = if is_admin { "administrator " } else { "" };
    println!(
        "created {role}{} <{}> with id {}",
        user.name, user.email, user.id
    );
    Ok(())
}

/// The storage and routing definitions the code relies on, as JSON.
pub fn schema() -> serde_json::Value {
    let tables: Vec<serde_json::Value> = tables::ALL
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "env_var": t.env_var,
                "partition_key": t.partition_key,
                "sort_key": t.sort_key,
                "ttl_attribute": t.ttl_attribute,
                "stream": t.stream,
                "indexes": t.indexes.iter().map(|i| serde_json::json!({
                    "name": i.name,
                    "partition_key": i.partition_key,
                    "sort_key": i.sort_key,
                    "keys_only": i.keys_only,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let pattern: serde_json::Value =
        serde_json::from_str(taskboard_domain::events::NOTIFY_RULE_PATTERN)
            .unwrap_or(serde_json::Value::Null);
    let ses_reports: serde_json::Value =
        serde_json::from_str(taskboard_domain::SES_REPORT_RULE_PATTERN)
            .unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "tables": tables,
        "notify_rule_pattern": pattern,
        "ses_report_rule_pattern": ses_reports,
    })
}
