//! The log-notifier Lambda, run by `lambda_runtime` on task events from the EventBridge rule, and
//! on SES's bounce, complaint and delivery reports from the default bus.

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use taskboard_core::config::ProcessEnv;
use taskboard_core::telemetry;
use taskboard_log_notifier::incoming::Incoming;
use taskboard_log_notifier::{Notifier, NotifierConfig};

// A Lambda process handles one event at a time: no worker threads to start (docs/performance.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let config = NotifierConfig::from_env(&ProcessEnv)
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let notifier = Notifier::from_config(&config);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Incoming>| {
        let notifier = notifier.clone();
        async move {
            notifier.handle_incoming(event.payload).await.map_err(|e| {
                Diagnostic::from(Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            })
        }
    }))
    .await
}
