//! The scheduled relay Lambda: on each EventBridge schedule tick, publish every outbox row the
//! inline relay left behind (an AWS outage, a crash between commit and publish).

use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use taskboard_core::config::ProcessEnv;
use taskboard_core::{aws, storage::db, telemetry};
use taskboard_tasks_api::RelayConfig;
use taskboard_tasks_api::changelog::ChangeLog;
use taskboard_tasks_api::relay::Relay;

#[derive(Serialize)]
struct Report {
    published: usize,
    failed: usize,
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let config = RelayConfig::from_env(&ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let pool = db::lazy_pool(&config.database_url, 1)?;
    let sdk = aws::load_config().await;
    let changelog = ChangeLog::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        config.task_log_table.clone(),
    );
    let relay = Relay::new(
        pool,
        changelog,
        aws_sdk_eventbridge::Client::new(&sdk),
        config.event_bus_name.clone(),
    );
    let batch = config.batch_size;
    lambda_runtime::run(service_fn(move |_tick: LambdaEvent<CloudWatchEvent>| {
        let relay = relay.clone();
        async move {
            let mut total = Report {
                published: 0,
                failed: 0,
            };
            // Drain in batches; stop when a pass finds nothing more or hits a failure.
            loop {
                let pass = relay.relay_pending(batch).await.map_err(|e| {
                    Diagnostic::from(Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
                })?;
                total.published += pass.published;
                total.failed += pass.failed;
                if pass.failed > 0 || pass.published < batch as usize {
                    break;
                }
            }
            tracing::info!(
                published = total.published,
                failed = total.failed,
                "relay pass"
            );
            Ok::<_, Diagnostic>(total)
        }
    }))
    .await
}
