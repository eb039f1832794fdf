//! The stand-in for the publisher's trigger: the change log's stream, read from the emulator, each
//! batch handed to the publisher's own code ([`taskboard_publisher::publish_batch`]) as the event
//! source mapping hands it to the Lambda, and read again from the record a batch failed at.

use std::sync::Arc;

use taskboard_publisher::batch::BatchOutcome;
use taskboard_publisher::{Bus, Inserted, publish_batch};
use taskboard_testing::stream::{ChangeStream, StreamError};
use tokio::sync::Mutex;

#[derive(Clone)]
pub struct LocalPublisher {
    stream: Arc<Mutex<ChangeStream>>,
    bus: Bus,
}

impl LocalPublisher {
    /// Read `table`'s stream from its start, publishing to `bus`.
    pub async fn open(
        sdk: &aws_config::SdkConfig,
        table: &str,
        bus: Bus,
    ) -> Result<Self, StreamError> {
        let dynamo = aws_sdk_dynamodb::Client::new(sdk);
        let stream = ChangeStream::open(sdk, &dynamo, table).await?;
        Ok(Self {
            stream: Arc::new(Mutex::new(stream)),
            bus,
        })
    }

    /// One batch: what arrived since the last, published in order; after a failure the next
    /// batch starts at the record that failed.
    pub async fn pump_once(&self) -> Result<BatchOutcome, StreamError> {
        let mut stream = self.stream.lock().await;
        let records: Vec<Inserted> = stream
            .read()
            .await?
            .into_iter()
            .map(|c| Inserted::from_parts(c.sequence_number, &c.event_name, c.event.as_deref()))
            .collect();
        let outcome = publish_batch(&self.bus, &records).await;
        if let Some(sequence) = &outcome.failed_at {
            stream.rewind_to(sequence).await?;
        }
        Ok(outcome)
    }

    /// Batches until one brings nothing new and nothing failed: everything in the change log so
    /// far is on the bus.
    pub async fn pump_all(&self) -> Result<usize, StreamError> {
        let mut published = 0;
        loop {
            let outcome = self.pump_once().await?;
            published += outcome.published;
            if outcome.published == 0 && outcome.skipped == 0 && outcome.failed_at.is_none() {
                return Ok(published);
            }
        }
    }
}
