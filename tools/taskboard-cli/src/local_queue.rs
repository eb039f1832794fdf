//! The SQS queue that stands in for the notifier's Lambda target: the EventBridge rules (task
//! events, and SES reports) deliver each matching event to it (the full envelope, as Lambda would receive it), and the dev server
//! drains it into the notifier's handler. A message is deleted only when the handler succeeds;
//! otherwise it becomes visible again and is retried, as Lambda retries an async invocation.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName;
use taskboard_log_notifier::Notifier;
use taskboard_log_notifier::incoming::parse_incoming;

/// The queue could not be created or read.
#[derive(Debug, thiserror::Error)]
#[error("queue: {0}")]
pub struct QueueError(String);

fn sqs<E>(err: E) -> QueueError
where
    aws_sdk_sqs::Error: From<E>,
{
    QueueError(aws_sdk_sqs::Error::from(err).to_string())
}

/// An SQS client whose time limits leave room for the queue's long poll: the functions' fail-fast
/// limits (one attempt 1 s, `taskboard_core::aws::fail_fast`) cut a 1 s poll off whenever the
/// emulator answers a little late, and the notifier then saw no events at all.
pub fn sqs_client(sdk: &aws_config::SdkConfig) -> Client {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(2))
        .operation_attempt_timeout(std::time::Duration::from_secs(10))
        .operation_timeout(std::time::Duration::from_secs(30))
        .build();
    Client::from_conf(
        aws_sdk_sqs::config::Builder::from(sdk)
            .timeout_config(timeouts)
            .build(),
    )
}

#[derive(Clone)]
pub struct LocalQueue {
    client: Client,
    url: String,
}

/// What one drain pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub handled: usize,
    pub failed: usize,
}

impl LocalQueue {
    /// Create the queue (idempotent) with a short visibility timeout, and return it with its ARN.
    pub async fn ensure(client: Client, name: &str) -> Result<(Self, String), QueueError> {
        let url = client
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::VisibilityTimeout, "10")
            .send()
            .await
            .map_err(sqs)?
            .queue_url()
            .unwrap_or_default()
            .to_owned();
        let arn = client
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(sqs)?
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .ok_or_else(|| QueueError(format!("{name} has no ARN")))?;
        Ok((Self { client, url }, arn))
    }

    /// Receive what is waiting (up to `wait_secs` long-polling) and hand each event to the notifier.
    pub async fn drain_once(
        &self,
        notifier: &Notifier,
        wait_secs: i32,
    ) -> Result<Drained, QueueError> {
        let received = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_secs)
            .send()
            .await
            .map_err(sqs)?;
        let mut drained = Drained::default();
        for message in received.messages() {
            let outcome = match message.body().map(parse_incoming) {
                Some(Ok(incoming)) => notifier
                    .handle_incoming(incoming)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Some(Err(e)) => Err(format!("not a task event or SES report envelope: {e}")),
                None => Err("empty message".to_owned()),
            };
            match outcome {
                Ok(()) => {
                    drained.handled += 1;
                    if let Some(handle) = message.receipt_handle() {
                        self.client
                            .delete_message()
                            .queue_url(&self.url)
                            .receipt_handle(handle)
                            .send()
                            .await
                            .map_err(sqs)?;
                    }
                }
                Err(reason) => {
                    drained.failed += 1;
                    tracing::warn!(%reason, "notifier failed; the event will be retried");
                }
            }
        }
        Ok(drained)
    }
}
