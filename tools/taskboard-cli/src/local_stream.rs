//! The stand-ins for the two stream triggers, read from the emulator and handed to the functions'
//! own code as an event source mapping hands batches to a Lambda, read again from the record a
//! batch failed at: the change log's stream → the publisher ([`LocalPublisher`]), and the
//! account-e-mail queue's stream → the notifier's sender ([`LocalOutgoing`]).

use std::sync::Arc;

use taskboard_log_notifier::Notifier;
use taskboard_log_notifier::outgoing::QueuedMail;
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
            .map(|c| Inserted::from_parts(c.sequence_number.clone(), &c.event_name, c.event()))
            .collect();
        let outcome = publish_batch(&self.bus, &records).await;
        if let Some(sequence) = &outcome.failed_at {
            rewind(&mut stream, sequence).await;
        }
        Ok(outcome)
    }

    /// Batches until one brings nothing new and nothing failed: everything in the change log so
    /// far is on the bus. (A failed batch pauses inside `publish_batch` before the next.)
    pub async fn pump_all(&self) -> Result<usize, StreamError> {
        let mut published = 0;
        loop {
            let outcome = self.pump_once().await?;
            published += outcome.published;
            let nothing = outcome.published + outcome.skipped + outcome.unreadable == 0;
            if nothing && outcome.failed_at.is_none() {
                return Ok(published);
            }
        }
    }
}

/// The account-e-mail queue's stream → the notifier's sender.
#[derive(Clone)]
pub struct LocalOutgoing {
    stream: Arc<Mutex<ChangeStream>>,
    notifier: Notifier,
}

impl LocalOutgoing {
    pub async fn open(
        sdk: &aws_config::SdkConfig,
        table: &str,
        notifier: Notifier,
    ) -> Result<Self, StreamError> {
        let dynamo = aws_sdk_dynamodb::Client::new(sdk);
        let stream = ChangeStream::open(sdk, &dynamo, table).await?;
        Ok(Self {
            stream: Arc::new(Mutex::new(stream)),
            notifier,
        })
    }

    /// One batch; `Ok(n)`: how many records it held (a failed batch is read again next time).
    pub async fn pump_once(&self) -> Result<usize, StreamError> {
        let mut stream = self.stream.lock().await;
        let records: Vec<QueuedMail> = stream
            .read()
            .await?
            .iter()
            .map(|c| QueuedMail::from_image(c.sequence_number.clone(), &c.event_name, &c.image))
            .collect();
        if let Some(sequence) = self.notifier.outgoing().send_batch(&records).await {
            rewind(&mut stream, &sequence).await;
        }
        Ok(records.len())
    }

    /// Batches until the stream has nothing new.
    pub async fn pump_all(&self) -> Result<(), StreamError> {
        while self.pump_once().await? > 0 {}
        Ok(())
    }
}

/// Point the stream back at the record a batch failed at, as Lambda's retry starts there. The read
/// already moved past it, so a failed rewind would skip records: keep trying.
async fn rewind(stream: &mut ChangeStream, sequence: &str) {
    while let Err(err) = stream.rewind_to(sequence).await {
        tracing::warn!(error = %err, "could not rewind the stream; trying again");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
