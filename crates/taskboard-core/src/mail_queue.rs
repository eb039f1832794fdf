//! Outgoing account e-mail, queued in DynamoDB: how the functions inside the VPC send mail without
//! an SES endpoint (`docs/decisions.md#12-account-tokens`, "Deviation"). login, tasks-api and
//! migrate put the composed message in the `outgoing_mail` table (through the free DynamoDB gateway
//! endpoint); the table's stream triggers the log-notifier, outside the VPC, which sends it through
//! SES once (`functions/log-notifier/src/outgoing.rs`) and deletes the item.
//!
//! The message holds its link's token until it is sent (seconds) and in the table's stream for at
//! most 24 hours, readable only by the notifier's role; items expire after a day if never sent.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use taskboard_domain::time::EpochSecs;

use crate::aws::LazyClient;
use crate::dynamo::{self, DynamoError, Item, Table};
use crate::mail::Email;

/// An unsent message is dropped after a day (the table's TTL): its links would be stale.
const KEEP_SECS: u64 = 24 * 3600;

#[derive(Clone)]
pub struct MailQueue {
    table: Table,
}

impl MailQueue {
    pub fn new(client: impl Into<LazyClient<Client>>, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    /// Queue `email`; returns its id.
    pub async fn enqueue(&self, email: &Email) -> Result<String, DynamoError> {
        let id = uuid::Uuid::now_v7().to_string();
        let item = Item::from([
            ("mail_id".to_owned(), dynamo::s(&id)),
            ("to".to_owned(), dynamo::s(&email.to)),
            ("subject".to_owned(), dynamo::s(&email.subject)),
            ("text".to_owned(), dynamo::s(&email.text)),
            ("html".to_owned(), dynamo::s(&email.html)),
            (
                "expires_at".to_owned(),
                dynamo::n(EpochSecs::now().plus_secs(KEEP_SECS).0),
            ),
        ]);
        self.table.put_new(item, "mail_id").await?;
        Ok(id)
    }

    /// Remove a sent message (deleting one already gone is not an error).
    pub async fn remove(&self, mail_id: &str) -> Result<(), DynamoError> {
        self.table
            .delete(dynamo::key("mail_id", dynamo::s(mail_id)))
            .await
    }
}

/// A queued message, read back from its item's string attributes (a stream record's new image):
/// `(mail_id, email)`, or `None` if an attribute is missing.
pub fn queued(image: &HashMap<String, String>) -> Option<(String, Email)> {
    let get = |name: &str| image.get(name).cloned();
    Some((
        get("mail_id")?,
        Email {
            to: get("to")?,
            subject: get("subject")?,
            text: get("text")?,
            html: get("html")?,
        },
    ))
}
