//! One EventBridge delivery of a task event → one e-mail per recipient, each at most once.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use taskboard_domain::SiteUrl;
use taskboard_domain::events::{SCHEMA_VERSION, TaskEvent};

use crate::deliveries::{Claim, Deliveries, DeliveryError, delivery_id};
use crate::mailer::{Mailer, SendError};
use crate::message::compose;
use crate::recipients::recipients;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(
        "event {event_id} has schema_version {version}; this notifier reads version {SCHEMA_VERSION}"
    )]
    UnsupportedSchema { event_id: String, version: u32 },
    #[error(transparent)]
    Deliveries(#[from] DeliveryError),
    #[error(
        "event {event_id}: {failed} of {total} e-mails failed temporarily; the invocation will be retried"
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
}

#[derive(Clone)]
pub struct Notifier {
    deliveries: Deliveries,
    mailer: Mailer,
    site: SiteUrl,
}

impl Notifier {
    /// The notifier as deployed: its AWS clients are built when the first event needs them.
    pub fn from_config(config: &crate::NotifierConfig) -> Self {
        Self::new(
            Deliveries::new(
                taskboard_core::aws::lazy_dynamo(),
                config.notifications_table.clone(),
            ),
            Mailer::new(Mailer::lazy_ses(), config.sender.clone()),
            config.site_url.clone(),
        )
    }

    pub fn new(deliveries: Deliveries, mailer: Mailer, site: SiteUrl) -> Self {
        Self {
            deliveries,
            mailer,
            site,
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
            let id = delivery_id(&event_id, &person.id.to_string());
            if self.deliveries.claim(&id).await? == Claim::Taken {
                summary.skipped_duplicates += 1;
                tracing::info!(recipient = %person.id, "already sent or being sent; skipped");
                continue;
            }
            let email = compose(&event, person, &self.site);
            match self.mailer.send(&email).await {
                Ok(message_id) => {
                    self.deliveries.mark_sent(&id, &message_id).await?;
                    summary.sent += 1;
                    tracing::info!(recipient = %person.id, %message_id, "e-mail sent");
                }
                Err(SendError::Permanent(reason)) => {
                    self.deliveries.mark_failed(&id, &reason).await?;
                    summary.failed_permanently += 1;
                    tracing::error!(recipient = %person.id, %reason, "e-mail refused; recorded, not retried");
                }
                Err(SendError::Temporary(reason)) => {
                    temporary += 1;
                    tracing::warn!(recipient = %person.id, %reason, "e-mail failed temporarily; will retry");
                    if let Err(err) = self.deliveries.release(&id).await {
                        tracing::warn!(error = %err, "could not release the claim; it expires on its own");
                    }
                }
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
            "event handled"
        );
        Ok(summary)
    }
}

/// Parse an EventBridge envelope (as Lambda or the local queue delivers it).
pub fn parse_envelope(json: &str) -> Result<EventBridgeEvent<TaskEvent>, serde_json::Error> {
    serde_json::from_str(json)
}
