//! Account e-mail the functions inside the VPC queued (`taskboard_core::mail_queue`), sent from
//! here, outside it: the `outgoing_mail` table's stream brings each new message, and each is sent
//! through SES once. The claim is the delivery record `mail#<mail_id>`, as for task e-mail, so a
//! batch Lambda retries (from the first message that failed, as the partial batch response says)
//! sends nothing twice. A sent or refused message is deleted from the queue.

use std::collections::HashMap;

use taskboard_core::mail::Email;
use taskboard_core::mail_queue::{MailQueue, queued};

use crate::deliveries::{Claim, Deliveries};
use crate::mailer::{Mailer, SendError};

/// How long a batch waits before asking for a retry: Lambda retries a stream batch at once, so an
/// SES outage, a throttled table or a claim left by a killed invocation (stale after 45 s) would
/// otherwise spin through retries.
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);

/// One stream record of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub sequence_number: String,
    /// `INSERT` for a new message; removals (after sending, or by TTL) are ignored.
    pub event_name: String,
    /// `(mail_id, message)`, or `None` if the item cannot be read.
    pub mail: Option<(String, Email)>,
}

impl QueuedMail {
    /// From a record's new image (its string attributes).
    pub fn from_image(
        sequence_number: String,
        event_name: &str,
        image: &HashMap<String, String>,
    ) -> Self {
        Self {
            sequence_number,
            event_name: event_name.to_owned(),
            mail: queued(image),
        }
    }
}

#[derive(Clone)]
pub struct Outgoing {
    deliveries: Deliveries,
    mailer: Mailer,
    queue: Option<MailQueue>,
}

impl Outgoing {
    /// `queue`: where sent messages are deleted from (`None`: left to expire).
    pub fn new(deliveries: Deliveries, mailer: Mailer, queue: Option<MailQueue>) -> Self {
        Self {
            deliveries,
            mailer,
            queue,
        }
    }

    /// Send a batch in order; `Some(sequence)`: the first message that must be retried (it and
    /// everything after it come again).
    pub async fn send_batch(&self, records: &[QueuedMail]) -> Option<String> {
        for record in records.iter().filter(|r| r.event_name == "INSERT") {
            let Some((id, email)) = &record.mail else {
                // Nothing to send and nothing a retry could fix.
                tracing::error!(sequence = %record.sequence_number, "queued e-mail without its parts; dropped");
                continue;
            };
            if !self.send_one(id, email).await {
                tokio::time::sleep(RETRY_PAUSE).await;
                return Some(record.sequence_number.clone());
            }
        }
        None
    }

    /// `false`: failed temporarily, or another invocation is sending it: retry.
    async fn send_one(&self, id: &str, email: &Email) -> bool {
        let record = format!("mail#{id}");
        match self.deliveries.claim(&record, None).await {
            Ok(Claim::Won) => {}
            Ok(Claim::Done) => {
                self.remove(id).await;
                return true;
            }
            // Another invocation claimed it and may have died: retry once its claim is stale.
            Ok(Claim::InFlight) => return false,
            Err(err) => {
                tracing::warn!(mail_id = %id, error = %err, "delivery records unavailable; retrying");
                return false;
            }
        }
        match self.mailer.send(email).await {
            Ok(message_id) => {
                if let Err(err) = self.deliveries.mark_sent(&record, &message_id).await {
                    tracing::error!(mail_id = %id, %message_id, error = %err, "account e-mail sent but not recorded");
                }
                tracing::info!(mail_id = %id, %message_id, "account e-mail sent");
                self.remove(id).await;
                true
            }
            Err(SendError::Permanent(reason)) => {
                if let Err(err) = self.deliveries.mark_failed(&record, &reason).await {
                    tracing::warn!(mail_id = %id, error = %err, "could not record a refused e-mail");
                }
                tracing::error!(mail_id = %id, %reason, "account e-mail refused; dropped");
                self.remove(id).await;
                true
            }
            Err(SendError::Temporary(reason)) => {
                tracing::warn!(mail_id = %id, %reason, "account e-mail failed temporarily; retrying");
                if let Err(err) = self.deliveries.release(&record).await {
                    tracing::warn!(error = %err, "could not release the claim; it goes stale on its own");
                }
                false
            }
        }
    }

    async fn remove(&self, id: &str) {
        if let Some(queue) = &self.queue
            && let Err(err) = queue.remove(id).await
        {
            // It expires by itself within a day; its claim says it was sent.
            tracing::warn!(mail_id = %id, error = %err, "could not delete a sent e-mail from the queue");
        }
    }
}
