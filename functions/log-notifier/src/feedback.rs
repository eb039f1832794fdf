//! What SES reports about mail it accepted: bounces, complaints and deliveries, published by the
//! configuration set to EventBridge (`source: aws.ses`) and routed here by a rule on the default
//! bus (`infra/template.yaml`, the notifier's `SesReports` event). The default bus carries every
//! stack's and application's SES reports in the account, so a report about mail sent through
//! another configuration set than this stack's is ignored.
//!
//! Each report updates the delivery record its `taskboard-delivery` tag names (so the task's
//! history shows it), and a permanent bounce or a complaint suppresses the address: no task
//! e-mail goes to it until its owner confirms it again (`docs/decisions.md#13`).
//!
//! The report's shape is SES's event-publishing record (`eventType`, `mail`, `bounce`,
//! `complaint`, `delivery`); only the fields used here are read, and everything else is ignored.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use taskboard_core::dynamo::DynamoError;
use taskboard_core::suppressions::{SuppressionReason, Suppressions};
use taskboard_domain::time::EpochSecs;
use taskboard_domain::{DeliveryStatus, DeliveryTag, EmailAddress};

use crate::deliveries::{Deliveries, DeliveryError};

/// The `source` SES publishes under.
pub const SOURCE: &str = "aws.ses";

/// The SES report types this function acts on, as EventBridge `detail-type`s.
pub const DETAIL_TYPES: [&str; 3] = [
    "Email Bounced",
    "Email Complaint Received",
    "Email Delivered",
];

/// One SES event-publishing record (EventBridge's `detail`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesReport {
    pub event_type: String,
    pub mail: SesMail,
    pub bounce: Option<SesBounce>,
    pub complaint: Option<SesComplaint>,
    pub delivery: Option<SesDelivery>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesMail {
    pub message_id: String,
    /// Tag name → values (SES lists each tag's value in an array).
    #[serde(default)]
    pub tags: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesBounce {
    /// `Permanent`, `Transient` or `Undetermined`.
    pub bounce_type: String,
    #[serde(default)]
    pub bounced_recipients: Vec<SesRecipient>,
    pub timestamp: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesComplaint {
    #[serde(default)]
    pub complained_recipients: Vec<SesRecipient>,
    pub timestamp: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesDelivery {
    pub timestamp: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesRecipient {
    pub email_address: String,
}

/// What one report did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FeedbackSummary {
    /// The delivery record the report named was updated (false: no tag, an unknown or expired
    /// record, or one already further on, such as a delivery report after a complaint).
    pub recorded: bool,
    /// Addresses newly suppressed.
    pub suppressed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error(transparent)]
    Deliveries(#[from] DeliveryError),
    #[error("suppression list: {0}")]
    Suppressions(#[from] DynamoError),
}

#[derive(Clone)]
pub struct Feedback {
    deliveries: Deliveries,
    suppressions: Suppressions,
    /// This stack's configuration set (`SES_CONFIGURATION_SET`); unset locally.
    configuration_set: Option<String>,
}

/// The tag SES adds to every message sent through a configuration set.
const CONFIGURATION_SET_TAG: &str = "ses:configuration-set";

impl Feedback {
    pub fn new(deliveries: Deliveries, suppressions: Suppressions) -> Self {
        Self {
            deliveries,
            suppressions,
            configuration_set: None,
        }
    }

    /// Act only on reports about mail sent through `set` (this stack's).
    pub fn for_configuration_set(mut self, set: Option<String>) -> Self {
        self.configuration_set = set;
        self
    }

    /// Whether `report` is about mail this stack sent.
    fn ours(&self, report: &SesReport) -> bool {
        let Some(set) = &self.configuration_set else {
            return true;
        };
        report
            .mail
            .tags
            .get(CONFIGURATION_SET_TAG)
            .and_then(|values| values.first())
            .is_some_and(|value| value == set)
    }

    /// Apply one report. An `Err` (DynamoDB unavailable) fails the invocation so Lambda retries
    /// it; every step is idempotent, so a retry repeats nothing a person would notice.
    pub async fn handle(&self, report: &SesReport) -> Result<FeedbackSummary, FeedbackError> {
        if !self.ours(report) {
            tracing::info!(message_id = %report.mail.message_id, "SES report about another configuration set's mail; ignored");
            return Ok(FeedbackSummary::default());
        }
        let (status, at, suppress): (DeliveryStatus, _, Vec<(&str, SuppressionReason)>) =
            match report.event_type.as_str() {
                "Bounce" => {
                    let Some(bounce) = &report.bounce else {
                        return Ok(FeedbackSummary::default());
                    };
                    // Only a permanent bounce says the address is bad; a transient one (a full
                    // mailbox, SES gave up retrying) is shown, and the next e-mail tries again.
                    let suppress = if bounce.bounce_type == "Permanent" {
                        bounce
                            .bounced_recipients
                            .iter()
                            .map(|r| (r.email_address.as_str(), SuppressionReason::Bounce))
                            .collect()
                    } else {
                        Vec::new()
                    };
                    (DeliveryStatus::Bounced, bounce.timestamp, suppress)
                }
                "Complaint" => {
                    let Some(complaint) = &report.complaint else {
                        return Ok(FeedbackSummary::default());
                    };
                    let suppress = complaint
                        .complained_recipients
                        .iter()
                        .map(|r| (r.email_address.as_str(), SuppressionReason::Complaint))
                        .collect();
                    (DeliveryStatus::Complained, complaint.timestamp, suppress)
                }
                "Delivery" => (
                    DeliveryStatus::Delivered,
                    report.delivery.as_ref().and_then(|d| d.timestamp),
                    Vec::new(),
                ),
                other => {
                    tracing::info!(event_type = other, "SES report not acted on");
                    return Ok(FeedbackSummary::default());
                }
            };
        let at = at.map_or_else(EpochSecs::now, |t| EpochSecs(t.timestamp()));
        let mut summary = FeedbackSummary::default();
        for (raw, reason) in suppress {
            match EmailAddress::parse(raw) {
                Ok(address) => {
                    self.suppressions.suppress(&address, reason, at).await?;
                    summary.suppressed += 1;
                }
                // SES reports the address it was given, which was one of ours; anything else is
                // not an address Taskboard mails.
                Err(err) => tracing::warn!(error = %err, "SES reported an unusable address"),
            }
        }
        let tag = report
            .mail
            .tags
            .get(DeliveryTag::NAME)
            .and_then(|values| values.first())
            .and_then(|value| DeliveryTag::parse(value));
        if let Some(tag) = tag {
            summary.recorded = self
                .deliveries
                .record_feedback(&tag.record(), status, at)
                .await?;
        }
        tracing::info!(
            message_id = %report.mail.message_id,
            status = %status,
            recorded = summary.recorded,
            suppressed = summary.suppressed,
            "SES report handled"
        );
        Ok(summary)
    }
}
