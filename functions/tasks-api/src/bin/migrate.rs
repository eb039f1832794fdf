//! The migrate Lambda: applies the MySQL migrations (embedded from `migrations/`). The deploy
//! workflow invokes it synchronously after each deploy and fails if it fails. Migrations are
//! written expand-then-contract, so the code deployed just before them keeps working.

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use taskboard_core::config::{self, ProcessEnv};
use taskboard_core::telemetry;
use taskboard_mysql::db;

#[derive(Serialize)]
struct Applied {
    latest_version: Option<i64>,
    migrations: usize,
}

// A Lambda process handles one event at a time: no worker threads to start (docs/performance.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let url = config::required(&ProcessEnv, "DATABASE_URL")
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let pool = db::lazy_pool(&url, 1)?;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<serde_json::Value>| {
        let pool = pool.clone();
        async move {
            db::MIGRATOR.run(&pool).await.map_err(|e| {
                Diagnostic::from(Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            })?;
            let latest_version = db::MIGRATOR.iter().map(|m| m.version).max();
            tracing::info!(?latest_version, "migrations applied");
            Ok::<_, Diagnostic>(Applied {
                latest_version,
                migrations: db::MIGRATOR.iter().count(),
            })
        }
    }))
    .await
}
