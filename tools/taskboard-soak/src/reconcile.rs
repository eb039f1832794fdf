//! After the faults stop and everything has drained: does every committed change have exactly one
//! change-log item, and did every person it concerns get exactly one e-mail about it?
//!
//! The truth about what was committed is the outbox (written in the same transaction as each
//! change), not what the API answered: an answer lost to a cut connection may hide a commit.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use taskboard_core::tables;
use taskboard_domain::events::TaskEvent;
use taskboard_log_notifier::deliveries::delivery_id;
use taskboard_log_notifier::recipients::recipients;

use crate::system::System;

#[derive(Debug, Default, Clone)]
pub struct Accounts {
    /// Changes committed (outbox rows).
    pub committed: usize,
    /// Committed changes with no change-log item (or with their row never sent).
    pub lost_changes: usize,
    /// Outbox rows set aside as dead.
    pub dead_rows: usize,
    /// E-mails the people concerned should have got (one per change and person).
    pub expected_emails: usize,
    /// Of those, never received or never recorded as sent.
    pub lost_emails: usize,
    /// E-mails received beyond one per change and person.
    pub duplicate_emails: usize,
    /// The first few lost e-mails: delivery id and what its record says.
    pub lost_samples: Vec<String>,
}

pub async fn reconcile(system: &System) -> Accounts {
    let rows: Vec<(String, String, bool)> =
        sqlx::query_as("SELECT task_id, detail, sent_at IS NOT NULL FROM outbox ORDER BY seq")
            .fetch_all(&system.db.pool)
            .await
            .expect("read the outbox");
    let mut accounts = Accounts {
        committed: rows.len(),
        ..Accounts::default()
    };
    accounts.dead_rows = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM outbox WHERE dead_at IS NOT NULL AND sent_at IS NULL",
    )
    .fetch_one(&system.db.pool)
    .await
    .expect("count dead rows") as usize;

    // The change log, task by task.
    let mut logged: HashMap<String, usize> = HashMap::new();
    let tasks: HashSet<&String> = rows.iter().map(|(task, ..)| task).collect();
    for task in tasks {
        let mut start = None;
        loop {
            let page = system
                .dynamo
                .query()
                .table_name(system.tables.name(&tables::TASK_LOG))
                .key_condition_expression("task_id = :t")
                .expression_attribute_values(":t", AttributeValue::S(task.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("query the change log");
            for item in page.items() {
                if let Some(AttributeValue::S(id)) = item.get("event_id") {
                    *logged.entry(id.clone()).or_default() += 1;
                }
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
    }

    // Delivery records: which e-mail went out as which SES message.
    let mut sent: HashMap<String, String> = HashMap::new();
    let mut states: HashMap<String, String> = HashMap::new();
    let mut start = None;
    loop {
        let page = system
            .dynamo
            .scan()
            .table_name(system.tables.name(&tables::NOTIFICATIONS))
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan delivery records");
        for item in page.items() {
            let text = |k: &str| match item.get(k) {
                Some(AttributeValue::S(s)) => Some(s.clone()),
                _ => None,
            };
            if let (Some(id), Some(state)) = (text("delivery_id"), text("state")) {
                states.insert(id, state);
            }
            if let (Some(id), Some("sent"), Some(message)) = (
                text("delivery_id"),
                text("state").as_deref(),
                text("message_id"),
            ) {
                sent.insert(id, message);
            }
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            break;
        }
    }

    // What the people received.
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL");
    let suffix = format!(
        "-{}@example.com",
        system.tables.prefix.trim_end_matches('-')
    );
    let mail = taskboard_testing::mailbox::fetch_to(&endpoint, &suffix)
        .await
        .expect("read the mailbox");
    let received: HashSet<&str> = mail.iter().map(|m| m.id.as_str()).collect();

    let mut delivered = 0;
    for (_, detail, row_sent) in &rows {
        let event: TaskEvent = serde_json::from_str(detail).expect("an outbox event");
        let event_id = event.event_id.to_string();
        if !row_sent || logged.get(&event_id).copied().unwrap_or(0) != 1 {
            accounts.lost_changes += 1;
        }
        for person in recipients(&event) {
            accounts.expected_emails += 1;
            let id = delivery_id(&event_id, &person.id.to_string());
            match sent.get(&id) {
                Some(message) if received.contains(message.as_str()) => delivered += 1,
                _ => {
                    accounts.lost_emails += 1;
                    if accounts.lost_samples.len() < 5 {
                        let state = states.get(&id).map_or("no record", String::as_str);
                        accounts.lost_samples.push(format!("{id}: {state}"));
                    }
                }
            }
        }
    }
    accounts.duplicate_emails = mail.len().saturating_sub(delivered);
    accounts
}
