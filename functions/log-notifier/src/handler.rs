//! One EventBridge delivery of a task event → one e-mail per recipient, each at most once.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use taskboard_domain::SiteUrl;
use taskboard_domain::events::{SCHEMA_VERSION, TaskEvent};

use taskboard_core::rate::RateLimiter;
use taskboard_core::suppressions::Suppressions;
use taskboard_domain::DeliveryTag;
use taskboard_domain::events::Person;

use crate::caps::{Allowance, RecipientCap};
use crate::deliveries::{About, Claim, Deliveries, DeliveryError, delivery_id};
use crate::feedback::{Feedback, FeedbackError};
use crate::mailer::{Mailer, SendError};
use crate::message::{compose, compose_summary};
use crate::outgoing::Outgoing;
use crate::recipients::recipients;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(
        "event {event_id} has schema_version {version}; this notifier reads version {SCHEMA_VERSION}"
    )]
    UnsupportedSchema { event_id: String, version: u32 },
    #[error(transparent)]
    Deliveries(#[from] DeliveryError),
    #[error("SES report: {0}")]
    Feedback(#[from] FeedbackError),
    #[error(
        "event {event_id}: {failed} of {total} e-mails failed temporarily or are being sent by another invocation; the invocation will be retried"
    )]
    Temporary {
        event_id: String,
        failed: usize,
        total: usize,
    },
}

/// What one invocation did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub sent: usize,
    pub skipped_duplicates: usize,
    pub failed_permanently: usize,
    /// Recipients past their hourly cap: covered by one summary e-mail (sent with the first).
    pub capped: usize,
    /// Recipients whose address bounced or complained before: not sent.
    pub suppressed: usize,
}

/// What happened to one recipient's e-mail.
enum Outcome {
    Sent,
    Duplicate,
    Capped,
    Suppressed,
    FailedPermanently,
    /// Failed temporarily, or another invocation holds the claim: retry the invocation.
    Temporary,
}

#[derive(Clone)]
pub struct Notifier {
    pub(crate) feedback: Feedback,
    pub(crate) outgoing: Outgoing,
    deliveries: Deliveries,
    suppressions: Suppressions,
    mailer: Mailer,
    site: SiteUrl,
    cap: RecipientCap,
}

impl Notifier {
    /// The notifier as deployed: its AWS clients are built when the first event needs them.
    pub fn from_config(config: &crate::NotifierConfig) -> Self {
        // One DynamoDB client (and one connection pool) for delivery records and the cap.
        let dynamo = taskboard_core::aws::lazy_dynamo();
        let queue = (config.outgoing_mail_table.clone())
            .map(|table| taskboard_core::mail_queue::MailQueue::new(dynamo.clone(), table));
        let notifier = Self::new(
            Deliveries::new(dynamo.clone(), config.notifications_table.clone())
                .with_stale_after(config.claim_stale_secs),
            Suppressions::new(dynamo.clone(), config.notifications_table.clone()),
            Mailer::new(Mailer::lazy_ses(), config.sender.clone())
                .with_configuration_set(config.configuration_set.clone()),
            config.site_url.clone(),
            RecipientCap::new(
                RateLimiter::new(dynamo, config.rate_limits_table.clone()),
                config.per_recipient,
            ),
        );
        let outgoing = Outgoing::new(notifier.deliveries.clone(), notifier.mailer.clone(), queue);
        let mut notifier = notifier.with_outgoing(outgoing);
        notifier.feedback = notifier
            .feedback
            .clone()
            .for_configuration_set(config.configuration_set.clone());
        notifier
    }

    pub fn new(
        deliveries: Deliveries,
        suppressions: Suppressions,
        mailer: Mailer,
        site: SiteUrl,
        cap: RecipientCap,
    ) -> Self {
        Self {
            feedback: Feedback::new(deliveries.clone(), suppressions.clone()),
            outgoing: Outgoing::new(deliveries.clone(), mailer.clone(), None),
            deliveries,
            suppressions,
            mailer,
            site,
            cap,
        }
    }

    /// Send queued account e-mail with `outgoing` (by default: sent messages are left in the
    /// queue to expire).
    pub fn with_outgoing(mut self, outgoing: Outgoing) -> Self {
        self.outgoing = outgoing;
        self
    }

    /// The account-e-mail sender (the queue's stream).
    pub fn outgoing(&self) -> &Outgoing {
        &self.outgoing
    }

    /// Claim, cap, compose, send and record one recipient's e-mail.
    async fn deliver(
        &self,
        event: &TaskEvent,
        event_id: &str,
        person: &Person,
    ) -> Result<Outcome, DeliveryError> {
        let id = delivery_id(event_id, &person.id.to_string());
        let about = About {
            event,
            recipient: person,
        };
        match self.deliveries.claim(&id, Some(about)).await? {
            Claim::Won => {}
            Claim::Done => {
                tracing::info!(recipient = %person.id, "already handled; skipped");
                return Ok(Outcome::Duplicate);
            }
            Claim::InFlight => {
                tracing::warn!(recipient = %person.id, "another invocation holds this e-mail; retry later");
                return Ok(Outcome::Temporary);
            }
        }
        // An address that bounced or complained gets no task e-mail until its owner confirms it
        // again. Read failures send anyway: one more e-mail to a bad address costs less than
        // holding everyone's mail while the table is unreachable.
        match self.suppressions.get(&person.email).await {
            Ok(Some(suppression)) => {
                let reason = suppression.reason.as_str();
                self.deliveries.mark_suppressed(&id, reason).await?;
                tracing::info!(recipient = %person.id, %reason, "address suppressed; not mailed");
                return Ok(Outcome::Suppressed);
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(error = %err, "suppression list unavailable; sending");
            }
        }
        let (email, summary_id) = match self.cap.admit(person.id).await {
            Allowance::Mail => (compose(event, person, &self.site), None),
            Allowance::OverCap { summary_id, until } => {
                match self.deliveries.claim(&summary_id, None).await? {
                    Claim::Won => {}
                    Claim::Done => {
                        self.deliveries.mark_capped(&id, &summary_id).await?;
                        tracing::info!(recipient = %person.id, "past the hourly cap; not mailed");
                        return Ok(Outcome::Capped);
                    }
                    // The summary is being sent by another invocation that may yet fail: this
                    // change is not covered until it is sent.
                    Claim::InFlight => {
                        self.release_all(&[&id]).await;
                        return Ok(Outcome::Temporary);
                    }
                }
                let until = chrono::DateTime::from_timestamp(until, 0).unwrap_or_default();
                let per_hour = self.cap.limit.max;
                let email = compose_summary(event, person, &self.site, per_hour, until);
                (email, Some(summary_id))
            }
        };
        // Bounce, complaint and delivery reports come back naming this record (the summary's,
        // for a summary e-mail).
        let tag = DeliveryTag::for_record(summary_id.as_deref().unwrap_or(&id));
        match (
            self.mailer.send_tagged(&email, tag.as_ref()).await,
            summary_id,
        ) {
            (Ok(message_id), None) => {
                // SES has accepted it: a record that still fails after its retries is logged,
                // not turned into a failed invocation whose retry could only wait or resend.
                if let Err(err) = self.deliveries.mark_sent(&id, &message_id).await {
                    tracing::error!(recipient = %person.id, %message_id, error = %err, "e-mail sent but not recorded");
                }
                tracing::info!(recipient = %person.id, %message_id, "e-mail sent");
                Ok(Outcome::Sent)
            }
            (Ok(message_id), Some(summary)) => {
                if let Err(err) = self.deliveries.mark_sent(&summary, &message_id).await {
                    tracing::error!(recipient = %person.id, %message_id, error = %err, "summary sent but not recorded");
                }
                self.deliveries.mark_capped(&id, &summary).await?;
                tracing::info!(recipient = %person.id, %message_id, "past the hourly cap; summary sent");
                Ok(Outcome::Capped)
            }
            (Err(SendError::Permanent(reason)), summary) => {
                for record in std::iter::once(&id).chain(summary.as_ref()) {
                    self.deliveries.mark_failed(record, &reason).await?;
                }
                tracing::error!(recipient = %person.id, %reason, "e-mail refused; recorded, not retried");
                Ok(Outcome::FailedPermanently)
            }
            (Err(SendError::Temporary(reason)), summary) => {
                tracing::warn!(recipient = %person.id, %reason, "e-mail failed temporarily; will retry");
                let records: Vec<&str> = std::iter::once(id.as_str())
                    .chain(summary.as_deref())
                    .collect();
                self.release_all(&records).await;
                Ok(Outcome::Temporary)
            }
        }
    }

    /// Give claims back so the retry can send at once; a claim that cannot be released goes
    /// stale after [`crate::deliveries::STALE_CLAIM_SECS`] and the retry after that takes it.
    async fn release_all(&self, records: &[&str]) {
        for record in records {
            if let Err(err) = self.deliveries.release(record).await {
                tracing::warn!(error = %err, "could not release the claim; it goes stale on its own");
            }
        }
    }

    /// Handle one EventBridge event. An `Err` fails the invocation so Lambda retries it (and,
    /// after the retries, sends it to the dead-letter queue); e-mails already sent are not resent.
    pub async fn handle(
        &self,
        envelope: EventBridgeEvent<TaskEvent>,
    ) -> Result<Summary, NotifyError> {
        let event = envelope.detail;
        let event_id = event.event_id.to_string();
        let span =
            tracing::info_span!("event", %event_id, detail_type = event.detail_type.as_str());
        let _guard = span.enter();
        if event.schema_version != SCHEMA_VERSION {
            tracing::error!(version = event.schema_version, "unsupported schema version");
            return Err(NotifyError::UnsupportedSchema {
                event_id,
                version: event.schema_version,
            });
        }
        let people = recipients(&event);
        let mut summary = Summary::default();
        let mut temporary = 0;
        for person in &people {
            match self.deliver(&event, &event_id, person).await? {
                Outcome::Sent => summary.sent += 1,
                Outcome::Duplicate => summary.skipped_duplicates += 1,
                Outcome::Capped => summary.capped += 1,
                Outcome::Suppressed => summary.suppressed += 1,
                Outcome::FailedPermanently => summary.failed_permanently += 1,
                Outcome::Temporary => temporary += 1,
            }
        }
        if temporary > 0 {
            return Err(NotifyError::Temporary {
                event_id,
                failed: temporary,
                total: people.len(),
            });
        }
        tracing::info!(
            sent = summary.sent,
            skipped = summary.skipped_duplicates,
            failed = summary.failed_permanently,
            capped = summary.capped,
            suppressed = summary.suppressed,
            "event handled"
        );
        Ok(summary)
    }
}

/// Parse an EventBridge envelope (as Lambda or the local queue delivers it).
pub fn parse_envelope(json: &str) -> Result<EventBridgeEvent<TaskEvent>, serde_json::Error> {
    serde_json::from_str(json)
}
