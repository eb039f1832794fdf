//! The scheduled relay Lambda: on each EventBridge schedule tick, drain every outbox row the
//! inline relay left behind (an AWS outage, a crash between commit and publish).

use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use taskboard_core::config::ProcessEnv;
use taskboard_core::{aws, telemetry};
use taskboard_mysql::connect::Database;
use taskboard_tasks_api::RelayConfig;
use taskboard_tasks_api::changelog::ChangeLog;

// A Lambda process handles one event at a time: no worker threads to start (docs/performance.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let config = RelayConfig::from_env(&ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let db = Database::lazy(&config.database, 1);
    let changelog = ChangeLog::new(aws::lazy_dynamo(), config.task_log_table.clone());
    let relay = taskboard_tasks_api::app::relay(db.pool().clone(), changelog);
    let config = std::sync::Arc::new(config);
    lambda_runtime::run(service_fn(move |tick: LambdaEvent<CloudWatchEvent>| {
        let (relay, config, db) = (relay.clone(), config.clone(), db.clone());
        let deadline = stop_by(tick.context.deadline);
        async move {
            if let Err(err) = db.refresh_credentials().await {
                tracing::error!(error = %err, "could not sign a database token");
            }
            let outcome = relay.drain_until(config.batch_size, Some(deadline)).await;
            // The backlog and the dead rows as CloudWatch metrics, through the Embedded Metric
            // Format: one log line, no API call. Emitted after failed passes too: that is when
            // they grow.
            match tokio::try_join!(relay.oldest_unsent_age_secs(), relay.dead_rows()) {
                Ok((age, dead)) => println!(
                    "{}",
                    backlog_metric(&config.metrics_namespace, &config.stage, age, dead)
                ),
                Err(err) => tracing::warn!(error = %err, "could not measure the outbox backlog"),
            }
            let total = outcome.map_err(|e| {
                Diagnostic::from(Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            })?;
            tracing::info!(
                logged = total.logged,
                failed = total.failed,
                dead = total.dead,
                "relay pass"
            );
            Ok::<_, Diagnostic>(total)
        }
    }))
    .await
}

/// When to stop claiming rows: 10 s before Lambda ends the invocation (`deadline`, milliseconds
/// since the epoch), enough for the pass's last calls (2 s each at most) and the metric line.
fn stop_by(deadline_ms: u64) -> tokio::time::Instant {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let left = std::time::Duration::from_millis(deadline_ms.saturating_sub(now_ms));
    tokio::time::Instant::now() + left.saturating_sub(std::time::Duration::from_secs(10))
}

/// One EMF record: `OutboxOldestUnsentAgeSeconds` and `OutboxDeadRows` with the `Stage`
/// dimension.
fn backlog_metric(namespace: &str, stage: &str, age_secs: i64, dead: i64) -> serde_json::Value {
    serde_json::json!({
        "_aws": {
            "Timestamp": chrono::Utc::now().timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Stage"]],
                "Metrics": [
                    { "Name": "OutboxOldestUnsentAgeSeconds", "Unit": "Seconds" },
                    { "Name": "OutboxDeadRows", "Unit": "Count" }
                ]
            }]
        },
        "Stage": stage,
        "OutboxOldestUnsentAgeSeconds": age_secs,
        "OutboxDeadRows": dead
    })
}
