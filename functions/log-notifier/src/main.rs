//! The log-notifier Lambda, run by `lambda_runtime` on EventBridge events.

use lambda_runtime::{LambdaEvent, service_fn};
use taskboard_core::telemetry;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| async move {
        taskboard_log_notifier::handle(event.payload)
            .await
            .map_err(|e| {
                lambda_runtime::Diagnostic::from(
                    Box::new(e) as Box<dyn std::error::Error + Send + Sync>
                )
            })
    }))
    .await
}
