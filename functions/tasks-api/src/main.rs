//! The tasks-api Lambda: configuration, clients, and the router, handed to `lambda_http`.

use taskboard_core::config::ProcessEnv;
use taskboard_core::telemetry;
use taskboard_mysql::connect::Database;
use taskboard_tasks_api::{Clients, TasksConfig, TasksState, router};

// A Lambda process handles one event at a time: no worker threads to start (docs/performance.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let config = TasksConfig::from_env(&ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let db = Database::lazy(&config.database, config.db_max_connections);
    let app = router(
        TasksState::new(&config, db.pool().clone(), Clients::lazy()),
        &config,
    );
    // On AWS each invocation first re-signs the database token when it is due.
    taskboard_http::run_lambda(app, move || {
        let db = db.clone();
        async move { db.refresh_credentials().await }
    })
    .await
}
