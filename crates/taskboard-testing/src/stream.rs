//! A table's DynamoDB stream, read from the emulator: the local stand-in for an event source
//! mapping. The change log's triggers the publisher (the dev server, the tests and the soak hand
//! each batch to `taskboard_publisher::publish_batch`, as Lambda would); the outgoing-mail
//! table's triggers the notifier's sender.
//!
//! Like the event source mapping it reads every shard from its start, in order, and after a
//! failed batch starts again at the record the publisher named (a partial batch failure).

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodbstreams::Client;
use aws_sdk_dynamodbstreams::types::{AttributeValue, ShardIteratorType};

#[derive(Debug, thiserror::Error)]
#[error("change-log stream: {0}")]
pub struct StreamError(String);

fn sdk<E>(err: E) -> StreamError
where
    aws_sdk_dynamodbstreams::Error: From<E>,
{
    StreamError(aws_sdk_dynamodbstreams::Error::from(err).to_string())
}

/// One record, as the publisher reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamChange {
    pub sequence_number: String,
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    /// The new image's string attributes.
    pub image: HashMap<String, String>,
}

impl StreamChange {
    /// The new image's `event` attribute (a change-log item's event JSON).
    pub fn event(&self) -> Option<&str> {
        self.image.get("event").map(String::as_str)
    }
}

pub struct ChangeStream {
    client: Client,
    arn: String,
    /// Shard id → where to read next (`None`: the shard is closed and read to its end).
    shards: BTreeMap<String, Option<String>>,
    /// Which shard each record handed out came from, for [`ChangeStream::rewind_to`].
    origin: BTreeMap<String, String>,
}

impl ChangeStream {
    /// Open the stream of `table` (which must have one), from the start of every shard.
    pub async fn open(
        sdk: &aws_config::SdkConfig,
        dynamo: &aws_sdk_dynamodb::Client,
        table: &str,
    ) -> Result<Self, StreamError> {
        let described = dynamo
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| StreamError(aws_sdk_dynamodb::Error::from(e).to_string()))?;
        let arn = described
            .table()
            .and_then(|t| t.latest_stream_arn())
            .ok_or_else(|| StreamError(format!("{table} has no stream")))?
            .to_owned();
        let mut stream = Self {
            client: Client::new(sdk),
            arn,
            shards: BTreeMap::new(),
            origin: BTreeMap::new(),
        };
        stream.discover().await?;
        Ok(stream)
    }

    /// Start reading any shard not seen yet, from its first record.
    async fn discover(&mut self) -> Result<(), StreamError> {
        let described = self
            .client
            .describe_stream()
            .stream_arn(&self.arn)
            .send()
            .await
            .map_err(sdk)?;
        let shards: Vec<String> = described
            .stream_description()
            .map(|d| {
                d.shards()
                    .iter()
                    .filter_map(|s| s.shard_id().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        for shard in shards {
            if !self.shards.contains_key(&shard) {
                let iterator = self
                    .iterator(&shard, ShardIteratorType::TrimHorizon, None)
                    .await?;
                self.shards.insert(shard, iterator);
            }
        }
        Ok(())
    }

    async fn iterator(
        &self,
        shard: &str,
        kind: ShardIteratorType,
        sequence: Option<&str>,
    ) -> Result<Option<String>, StreamError> {
        let out = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.arn)
            .shard_id(shard)
            .shard_iterator_type(kind)
            .set_sequence_number(sequence.map(str::to_owned))
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.shard_iterator().map(str::to_owned))
    }

    /// What arrived since the last read in the next shard that has anything, in order.
    pub async fn read(&mut self) -> Result<Vec<StreamChange>, StreamError> {
        self.discover().await?;
        let mut changes = Vec::new();
        let shards: Vec<(String, String)> = self
            .shards
            .iter()
            .filter_map(|(shard, it)| it.clone().map(|it| (shard.clone(), it)))
            .collect();
        for (shard, iterator) in shards {
            let out = self
                .client
                .get_records()
                .shard_iterator(iterator)
                // The publisher's event source mapping hands over batches of 100 (BatchSize).
                .limit(100)
                .send()
                .await
                .map_err(sdk)?;
            for record in out.records() {
                let Some(change) = record.dynamodb() else {
                    continue;
                };
                let Some(sequence) = change.sequence_number() else {
                    continue;
                };
                let image = change
                    .new_image()
                    .map(|image| {
                        image
                            .iter()
                            .filter_map(|(k, v)| match v {
                                AttributeValue::S(s) => Some((k.clone(), s.clone())),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                self.origin.insert(sequence.to_owned(), shard.clone());
                changes.push(StreamChange {
                    sequence_number: sequence.to_owned(),
                    event_name: record
                        .event_name()
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or_default(),
                    image,
                });
            }
            self.shards
                .insert(shard, out.next_shard_iterator().map(str::to_owned));
            // One shard's records per batch, as Lambda hands them out: a failed batch then
            // rewinds only the shard it came from.
            if !changes.is_empty() {
                break;
            }
        }
        Ok(changes)
    }

    /// Read again from `sequence_number` on (the record a batch failed at), as Lambda retries.
    pub async fn rewind_to(&mut self, sequence_number: &str) -> Result<(), StreamError> {
        let Some(shard) = self.origin.get(sequence_number).cloned() else {
            return Err(StreamError(format!(
                "no record {sequence_number} was read from this stream"
            )));
        };
        let iterator = self
            .iterator(
                &shard,
                ShardIteratorType::AtSequenceNumber,
                Some(sequence_number),
            )
            .await?;
        self.shards.insert(shard, iterator);
        Ok(())
    }
}
