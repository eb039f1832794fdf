//! A private EventBridge bus in the emulator with the notifier's rule, targeting an SQS queue
//! that stands in for the Lambda target (as the local stack does), so tests can see what the
//! rule lets through.

use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

pub struct TestBus {
    pub bus: String,
    pub queue_url: String,
    pub events: aws_sdk_eventbridge::Client,
    sqs: aws_sdk_sqs::Client,
}

impl TestBus {
    pub async fn new(prefix: &str) -> Self {
        let sdk = crate::sdk_config().await;
        let events = aws_sdk_eventbridge::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let bus = format!("{prefix}bus");
        taskboard_core::bus::ensure_bus(&events, &bus)
            .await
            .expect("create bus");
        let queue_url = sqs
            .create_queue()
            .queue_name(format!("{prefix}notify"))
            .send()
            .await
            .expect("create queue")
            .queue_url()
            .expect("queue url")
            .to_owned();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes")
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .expect("queue arn");
        taskboard_core::bus::ensure_notify_rule(&events, &bus, prefix, &arn)
            .await
            .expect("create rule");
        Self {
            bus,
            queue_url,
            events,
            sqs,
        }
    }

    /// What the queue holds now, up to ten envelopes, each received once: for a consumer that
    /// keeps up with a steady stream ([`TestBus::drain`] waits for a quiet moment that a steady
    /// stream never has).
    pub async fn receive(&self) -> Vec<Value> {
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("receive");
        let mut out = Vec::new();
        for m in received.messages() {
            if let Some(body) = m.body() {
                out.push(serde_json::from_str(body).expect("envelope JSON"));
            }
            if let Some(handle) = m.receipt_handle() {
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("delete message");
            }
        }
        out
    }

    /// Every event envelope delivered to the queue so far (each received once), waiting up to
    /// `settle` for stragglers after the last one arrives.
    pub async fn drain(&self, settle: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        let mut quiet_until = tokio::time::Instant::now() + settle;
        while tokio::time::Instant::now() < quiet_until {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .expect("receive");
            let messages = received.messages();
            if messages.is_empty() {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            for m in messages {
                if let Some(body) = m.body() {
                    out.push(serde_json::from_str(body).expect("envelope JSON"));
                }
                if let Some(handle) = m.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("delete message");
                }
            }
            quiet_until = tokio::time::Instant::now() + settle;
        }
        out
    }
}
