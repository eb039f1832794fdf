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

// A Lambda process handles one event at a time: no worker threads to start (docs/performance.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let config = RelayConfig::from_env(&ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let pool = db::lazy_pool(&config.database_url, 1)?;
    let changelog = ChangeLog::new(aws::lazy_dynamo(), config.task_log_table.clone());
    let relay = Relay::new(
        pool,
        changelog,
        aws::lazy_events(),
        config.event_bus_name.clone(),
    );
    let batch = config.batch_size;
    let namespace = std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| "Taskboard".into());
    let stage = std::env::var("STAGE").unwrap_or_else(|_| "local".into());
    lambda_runtime::run(service_fn(move |_tick: LambdaEvent<CloudWatchEvent>| {
        let (relay, namespace, stage) = (relay.clone(), namespace.clone(), stage.clone());
        async move {
            let mut total = Report {
                published: 0,
                failed: 0,
            };
            // Drain in batches; stop when a pass finds nothing more or hits a failure.
            let outcome = loop {
                match relay.relay_pending(batch).await {
                    Ok(pass) => {
                        total.published += pass.published;
                        total.failed += pass.failed;
                        if pass.failed > 0 || pass.published < batch as usize {
                            break Ok(());
                        }
                    }
                    Err(err) => break Err(err),
                }
            };
            // The backlog as a CloudWatch metric, through the Embedded Metric Format: one log
            // line, no API call. Emitted after failed passes too: that is when it grows.
            match relay.oldest_unsent_age_secs().await {
                Ok(age) => println!("{}", backlog_metric(&namespace, &stage, age)),
                Err(err) => tracing::warn!(error = %err, "could not measure the outbox backlog"),
            }
            outcome.map_err(|e| {
                Diagnostic::from(Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            })?;
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

/// One EMF record: `OutboxOldestUnsentAgeSeconds` with the `Stage` dimension.
fn backlog_metric(namespace: &str, stage: &str, age_secs: i64) -> serde_json::Value {
    serde_json::json!({
        "_aws": {
            "Timestamp": chrono::Utc::now().timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Stage"]],
                "Metrics": [{ "Name": "OutboxOldestUnsentAgeSeconds", "Unit": "Seconds" }]
            }]
        },
        "Stage": stage,
        "OutboxOldestUnsentAgeSeconds": age_secs
    })
}
