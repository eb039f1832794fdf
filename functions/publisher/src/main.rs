//! The publisher Lambda: the change log's stream (an event source mapping with partial batch
//! responses) → [`taskboard_publisher::publish_batch`] → EventBridge.

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{LambdaEvent, service_fn};
use taskboard_core::config::ProcessEnv;
use taskboard_core::telemetry;
use taskboard_publisher::{Bus, Inserted, PublisherConfig, publish_batch};

// One batch at a time per shard: no worker threads to start (docs/performance.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let config = PublisherConfig::from_env(&ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let bus = Bus::new(taskboard_core::aws::lazy_events(), config.event_bus_name);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| {
        let bus = bus.clone();
        async move {
            let records: Vec<Inserted> = event
                .payload
                .records
                .iter()
                .map(Inserted::from_lambda)
                .collect();
            let outcome = publish_batch(&bus, &records).await;
            tracing::info!(
                records = records.len(),
                published = outcome.published,
                skipped = outcome.skipped,
                failed_at = outcome.failed_at.as_deref(),
                "batch handled"
            );
            let mut response = DynamoDbEventResponse::default();
            response.batch_item_failures = outcome
                .failed_at
                .into_iter()
                .map(|sequence| {
                    let mut failure = DynamoDbBatchItemFailure::default();
                    failure.item_identifier = Some(sequence);
                    failure
                })
                .collect();
            Ok::<_, lambda_runtime::Error>(response)
        }
    }))
    .await
}
