//! How one e-mail about one change went, as the notifier records it and the task history shows
//! it, and the tag that lets SES's feedback (bounces, complaints, deliveries) find that record.

use std::fmt;

/// The rule that brings SES's reports on sent mail to the notifier: on the default bus in AWS
/// (the only bus SES publishes to), on the local bus locally. `infra/template.yaml` carries the
/// same pattern (checked by `infra/tests/check_drift.py`).
pub const SES_REPORT_RULE_PATTERN: &str = r#"{"source":["aws.ses"],"detail-type":["Email Bounced","Email Complaint Received","Email Delivered"]}"#;

/// The state of one recipient's e-mail about one change.
///
/// `Sending` → `Sent` → `Delivered`; then, as SES reports back, `Sending`, `Sent` or `Delivered`
/// → `Bounced` (`Sending` when recording the send failed), and any of those or `Bounced` →
/// `Complained` (never backwards); `Failed` (SES refused it), `Suppressed` (the address bounced or complained
/// before, so it was not sent) and `Summarised` (past the hourly cap: covered by one summary
/// e-mail) are final when recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Sending,
    Sent,
    Delivered,
    Bounced,
    Complained,
    Suppressed,
    Failed,
    Summarised,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown delivery state {0:?}")]
pub struct DeliveryStatusError(pub String);

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 8] = [
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Delivered,
        DeliveryStatus::Bounced,
        DeliveryStatus::Complained,
        DeliveryStatus::Suppressed,
        DeliveryStatus::Failed,
        DeliveryStatus::Summarised,
    ];

    /// The stored (and API) spelling. `Summarised` is stored as `capped`, the name the notifier's
    /// records have carried since the hourly cap was built.
    pub fn stored(self) -> &'static str {
        match self {
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Bounced => "bounced",
            DeliveryStatus::Complained => "complained",
            DeliveryStatus::Suppressed => "suppressed",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Summarised => "capped",
        }
    }

    pub fn parse_stored(raw: &str) -> Result<Self, DeliveryStatusError> {
        Self::ALL
            .into_iter()
            .find(|s| s.stored() == raw)
            .ok_or_else(|| DeliveryStatusError(raw.to_owned()))
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stored())
    }
}

/// The SES message tag that carries a delivery record's key (`event_id#recipient`, or a
/// summary's `summary#subject#window`) through to the bounce, complaint and delivery events.
///
/// SES allows only ASCII letters, digits, `_` and `-` in a tag value, so the `#` separators are
/// written as `_`; the parts (UUIDs, hex digests, numbers, `summary`) never contain `_` or `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryTag(String);

impl DeliveryTag {
    /// The tag's name on the message.
    pub const NAME: &'static str = "taskboard-delivery";
    /// SES's limit on a tag value.
    const MAX_LEN: usize = 256;

    /// The tag for a delivery record key; `None` if a part could not survive the round trip.
    pub fn for_record(record: &str) -> Option<Self> {
        let ok = !record.is_empty()
            && record.len() <= Self::MAX_LEN
            && record
                .split('#')
                .all(|part| !part.is_empty() && part.bytes().all(is_tag_part_byte));
        ok.then(|| Self(record.replace('#', "_")))
    }

    /// Read a tag value back (from an SES event, which anyone who can put events could forge:
    /// only the characters the tag can hold are accepted).
    pub fn parse(value: &str) -> Option<Self> {
        let ok = !value.is_empty()
            && value.len() <= Self::MAX_LEN
            && value
                .split('_')
                .all(|part| !part.is_empty() && part.bytes().all(is_tag_part_byte));
        ok.then(|| Self(value.to_owned()))
    }

    pub fn value(&self) -> &str {
        &self.0
    }

    /// The delivery record key this tag names.
    pub fn record(&self) -> String {
        self.0.replace('_', "#")
    }
}

fn is_tag_part_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_stored_spelling() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse_stored(status.stored()), Ok(status));
        }
        assert!(DeliveryStatus::parse_stored("lost").is_err());
        assert_eq!(
            serde_json::to_string(&DeliveryStatus::Summarised).unwrap(),
            "\"summarised\""
        );
    }

    #[test]
    fn a_record_key_survives_the_tag_round_trip() {
        for record in [
            "0190f7d2-7a11-7c3e-8f00-1234567890ab#0190f7d2-7a11-7c3e-8f00-abcdefabcdef",
            "summary#6f1e0b#1764000000",
        ] {
            let tag = DeliveryTag::for_record(record).unwrap();
            assert!(!tag.value().contains('#'));
            assert_eq!(DeliveryTag::parse(tag.value()).unwrap().record(), record);
        }
    }

    #[test]
    fn tags_refuse_what_ses_or_the_round_trip_cannot_carry() {
        assert_eq!(DeliveryTag::for_record("a_b#c"), None);
        assert_eq!(DeliveryTag::for_record("a##b"), None);
        assert_eq!(DeliveryTag::for_record(""), None);
        assert_eq!(DeliveryTag::for_record(&"a".repeat(257)), None);
        assert_eq!(DeliveryTag::parse("a__b"), None);
        assert_eq!(DeliveryTag::parse("a b"), None);
        assert_eq!(DeliveryTag::parse("suppressed_x@y.z"), None);
    }
}
