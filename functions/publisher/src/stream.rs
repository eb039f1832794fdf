//! What the change log's stream delivers, read down to the one thing the publisher needs: the
//! event each new item carries (its `event` attribute: the event's JSON exactly as the outbox
//! stored it, re-parsed into [`TaskEvent`] here).

use aws_lambda_events::dynamodb::EventRecord;
use taskboard_domain::events::TaskEvent;

/// One stream record, as far as the publisher is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct Inserted {
    /// The record's position in its shard: what a partial batch failure names.
    pub sequence_number: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new change-log item: publish `event` with `detail` (its JSON, as stored).
    Event {
        event: Box<TaskEvent>,
        detail: String,
    },
    /// Nothing to publish: an update or removal, or an item written before the publisher
    /// existed (the relay of that release published it itself).
    Skip(&'static str),
    /// An item whose event cannot be read: no retry can fix it, so it is logged at ERROR (the
    /// `PublisherUnreadable` alarm) and passed over; the item stays in the change log.
    Unreadable(String),
}

impl Inserted {
    /// Read one record from its parts: the stream's `eventName` and the new image's `event`
    /// attribute (a string), if any.
    pub fn from_parts(sequence_number: String, event_name: &str, event: Option<&str>) -> Self {
        // A MODIFY carries an event only when the relay added one to an item an older release
        // wrote without it (an upgrade across issue 16): that event was never published.
        let change = match (event_name, event) {
            ("INSERT" | "MODIFY", Some(detail)) => {
                match serde_json::from_str::<TaskEvent>(detail) {
                    Ok(event) => Change::Event {
                        event: Box::new(event),
                        detail: detail.to_owned(),
                    },
                    Err(err) => Change::Unreadable(err.to_string()),
                }
            }
            ("INSERT", None) => {
                Change::Skip("an item without its event (written before the publisher)")
            }
            _ => Change::Skip("not an insert"),
        };
        Self {
            sequence_number,
            change,
        }
    }

    /// Read one record of Lambda's batch. A record without a sequence number cannot be reported
    /// back and is unreadable.
    pub fn from_lambda(record: &EventRecord) -> Self {
        let image = serde_json::to_value(&record.change.new_image).unwrap_or_default();
        let event = image
            .get("event")
            .and_then(|attribute| attribute.get("S"))
            .and_then(|s| s.as_str());
        let sequence = record.change.sequence_number.clone().unwrap_or_default();
        let mut inserted = Self::from_parts(sequence, &record.event_name, event);
        if inserted.sequence_number.is_empty() {
            inserted.change = Change::Unreadable("a record without a sequence number".into());
        }
        inserted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_inserted_item_with_a_readable_event_is_published() {
        let r = Inserted::from_parts("1".into(), "REMOVE", None);
        assert!(matches!(r.change, Change::Skip(_)));
        let r = Inserted::from_parts("1".into(), "MODIFY", None);
        assert!(matches!(r.change, Change::Skip(_)));
        let r = Inserted::from_parts("2".into(), "INSERT", None);
        assert!(matches!(r.change, Change::Skip(_)));
        let r = Inserted::from_parts("3".into(), "INSERT", Some("{\"nope\":1}"));
        assert!(matches!(r.change, Change::Unreadable(_)));
    }

    #[test]
    fn lambdas_stream_record_is_read_from_its_new_image() {
        let record: EventRecord = serde_json::from_value(serde_json::json!({
            "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1764064800.0,
                "Keys": {"task_id": {"S": "t"}, "log_key": {"S": "k"}},
                "NewImage": {"task_id": {"S": "t"}, "event": {"S": "{\"broken\""}},
                "SequenceNumber": "4200000000000000001", "SizeBytes": 40,
                "StreamViewType": "NEW_IMAGE"
            },
            "eventSourceARN": "arn:aws:dynamodb:eu-west-1:111122223333:table/t/stream/2026"
        }))
        .unwrap();
        let r = Inserted::from_lambda(&record);
        assert_eq!(r.sequence_number, "4200000000000000001");
        assert!(matches!(r.change, Change::Unreadable(_)), "{r:?}");
    }
}
