//! Test support shared by every function's tests.
//!
//! - [`TestDb`]: a fresh MariaDB database per test, migrated, so tests run in parallel.
//! - [`TestTables`]: fresh DynamoDB tables in the emulator under a unique prefix (the emulator's
//!   reset wipes everyone's state, so isolation is by name).
//! - [`runtime`]: a fake Lambda Runtime API that drives a real function binary.
//! - [`mailbox`]: the e-mail the emulator's SES accepted.
//! - [`eventually`]: wait for a condition with a deadline, never a bare sleep.
//! - [`faults`]: a proxy that freezes the path to a service, for tests of what a hang does.

pub mod bus;
pub mod faults;
pub mod http;
pub mod mailbox;
pub mod people;
pub mod rng;
pub mod runtime;
pub mod stream;

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::{ConnectOptions, Executor};
use taskboard_core::tables;
use taskboard_mysql::db;

/// The MariaDB server tests create their databases on. `TEST_DATABASE_URL` overrides the default.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// A fresh, migrated database named `tb_test_<uuid>`, dropped when the test ends (set
/// `TB_KEEP_TEST_DB=1` to keep it for a look).
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: MySqlPool,
}

impl TestDb {
    /// A fresh database with every migration applied.
    pub async fn new() -> Self {
        Self::migrated_to(None).await
    }

    /// A fresh database migrated up to and including `version` only: the schema an older
    /// release ran, for testing an upgrade (apply the rest with `db::MIGRATOR.run`).
    pub async fn at_version(version: i64) -> Self {
        Self::migrated_to(Some(version)).await
    }

    async fn migrated_to(version: Option<i64>) -> Self {
        let server = server_url();
        let name = format!("tb_test_{}", uuid::Uuid::new_v4().simple());
        let admin_opts: MySqlConnectOptions = server
            .parse()
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL {server:?} is not a MySQL URL: {e}"));
        let mut admin = admin_opts.connect().await.unwrap_or_else(|e| {
            panic!("cannot reach MariaDB at {server}: {e}. Run the tests with `make test`, which starts it.")
        });
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )))
            .await
            .expect("create test database");
        let url = format!("{}/{name}", server.trim_end_matches('/'));
        let pool = MySqlPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await
            .expect("connect to test database");
        match version {
            None => db::MIGRATOR.run(&pool).await,
            Some(v) => db::MIGRATOR.run_to(v, &pool).await,
        }
        .expect("migrate test database");
        Self { name, url, pool }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var_os("TB_KEEP_TEST_DB").is_some() {
            return;
        }
        let (server, name) = (server_url(), self.name.clone());
        let dropped = block_on_own_thread(async move {
            let opts: MySqlConnectOptions = server.parse().map_err(|e| format!("{e}"))?;
            let mut admin = opts.connect().await.map_err(|e| e.to_string())?;
            // A connection the test left inside a transaction would make DROP wait for its
            // metadata lock; give up after a few seconds instead (`make test` sweeps leftovers).
            admin
                .execute("SET SESSION lock_wait_timeout = 5")
                .await
                .map_err(|e| e.to_string())?;
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS `{name}`"
                )))
                .await
                .map_err(|e| e.to_string())?;
            Ok(())
        });
        if let Err(err) = dropped {
            eprintln!("could not drop test database {}: {err}", self.name);
        }
    }
}

/// Run `work` to completion on a runtime of its own, on a thread of its own: `Drop` cannot
/// await, and may run inside or outside the test's runtime.
fn block_on_own_thread<F>(work: F) -> Result<(), String>
where
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(work)
    })
    .join()
    .unwrap_or_else(|_| Err("the clean-up thread panicked".into()))
}

/// Delete these emulator tables (a test's own), ignoring ones already gone.
pub fn delete_tables(names: Vec<String>) {
    if names.is_empty() {
        return;
    }
    let deleted = block_on_own_thread(async move {
        let client = aws_sdk_dynamodb::Client::new(&taskboard_core::aws::load_config().await);
        for name in names {
            if let Err(err) = client.delete_table().table_name(&name).send().await {
                let err = aws_sdk_dynamodb::Error::from(err);
                if !matches!(err, aws_sdk_dynamodb::Error::ResourceNotFoundException(_)) {
                    return Err(format!("{name}: {err}"));
                }
            }
        }
        Ok(())
    });
    if let Err(err) = deleted {
        eprintln!("could not delete a test table: {err}");
    }
}

/// An emulator client. Refuses to run without `AWS_ENDPOINT_URL`, so tests never touch real AWS.
pub async fn dynamo() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config().await)
}

/// The emulator's SDK configuration for tests (from `AWS_ENDPOINT_URL`).
pub async fn sdk_config() -> aws_config::SdkConfig {
    assert!(
        std::env::var("AWS_ENDPOINT_URL")
            .is_ok_and(|v| v.starts_with("http://127.0.0.1") || v.starts_with("http://localhost")),
        "AWS_ENDPOINT_URL must point at the local emulator; run the tests with `make test`"
    );
    // Patient limits: the emulator on two cores running the whole suite answers in milliseconds,
    // now and then in seconds. Tests of the deployed limits use `sdk_config_via`.
    use std::time::Duration;
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(15))
                .operation_timeout(Duration::from_secs(45))
                .build(),
        )
        .load()
        .await
}

/// The SDK configuration the functions use (with their time limits), pointed at `endpoint`
/// (a [`faults::FreezeProxy`] in front of the emulator).
pub async fn sdk_config_via(endpoint: &str) -> aws_config::SdkConfig {
    taskboard_core::aws::fail_fast(aws_config::defaults(aws_config::BehaviorVersion::latest()))
        .endpoint_url(endpoint)
        .load()
        .await
}

/// An SDK configuration that can never reach AWS: a closed local port, no retries. Clients built
/// from it fail at once, as during an outage.
pub async fn unreachable_sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await
}

/// Make `sender` a verified SES identity in the emulator (idempotent), so mail from it is accepted.
pub async fn verify_sender(sdk: &aws_config::SdkConfig, sender: &str) {
    let created = aws_sdk_sesv2::Client::new(sdk)
        .create_email_identity()
        .email_identity(sender)
        .send()
        .await;
    if let Err(err) = created {
        let err = aws_sdk_sesv2::Error::from(err);
        assert!(
            matches!(err, aws_sdk_sesv2::Error::AlreadyExistsException(_)),
            "cannot verify {sender} in the emulator: {err}"
        );
    }
}

/// The SES identity tests send from (verified in the emulator by [`TestTables::new`]).
pub const TEST_SENDER: &str = "notifications@taskboard.test";

/// Every DynamoDB table the code uses, created fresh under a unique prefix, deleted when the
/// test ends.
pub struct TestTables {
    pub prefix: String,
    names: HashMap<&'static str, String>,
}

impl TestTables {
    pub async fn new(client: &aws_sdk_dynamodb::Client) -> Self {
        let prefix = format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let mut names = HashMap::new();
        for spec in tables::ALL {
            let name = format!("{prefix}{}", spec.name);
            tables::ensure_table(client, spec, &name)
                .await
                .unwrap_or_else(|e| panic!("{e}: is the emulator running? Use `make test`."));
            names.insert(spec.env_var, name);
        }
        verify_sender(&sdk_config().await, TEST_SENDER).await;
        Self { prefix, names }
    }

    pub fn name(&self, spec: &tables::TableSpec) -> &str {
        &self.names[spec.env_var]
    }

    /// `(ENV_VAR, table name)` for every table, and the verified `SENDER_ADDRESS`, to put in a
    /// function's environment. Not `OUTGOING_MAIL_TABLE`: a function's own tests send account
    /// e-mail straight to SES and read it in the mailbox; the queue the notifier sends from is the
    /// local stack's (`tools/taskboard-cli/tests/stack`).
    pub fn env(&self) -> Vec<(String, String)> {
        self.names
            .iter()
            .filter(|(k, _)| **k != tables::OUTGOING_MAIL.env_var)
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .chain([("SENDER_ADDRESS".to_owned(), TEST_SENDER.to_owned())])
            .collect()
    }
}

impl Drop for TestTables {
    fn drop(&mut self) {
        delete_tables(self.names.values().cloned().collect());
    }
}

/// Poll `check` until it yields `Some`, or panic after `deadline`.
pub async fn eventually<T, F, Fut>(deadline: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let until = tokio::time::Instant::now() + deadline;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
