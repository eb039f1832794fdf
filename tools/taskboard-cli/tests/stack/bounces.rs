//! Delivery you can see, and what bounces and complaints do: each history entry says who was
//! e-mailed about the change and how it went, and SES's reports (put on the bus here exactly as
//! SES publishes them; the emulator sends none) move the record on and stop task e-mail to a bad
//! address until its owner confirms it again.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use taskboard_domain::DeliveryTag;
use taskboard_testing::mailbox;

use crate::helpers::{Person, Stack, to};

/// The deliveries of the history entry for `event_id` (newest entries first).
async fn deliveries(s: &Stack, who: &Person, task: &str, index: usize) -> (String, Vec<Value>) {
    let history = s
        .call(
            who,
            Method::GET,
            &format!("/api/tasks/{task}/history"),
            None,
        )
        .await;
    history.assert_status(StatusCode::OK);
    let entry = history.json()["items"][index].clone();
    let event_id = entry["event_id"].as_str().expect("event id").to_owned();
    let deliveries = entry["deliveries"].as_array().expect("deliveries").clone();
    (event_id, deliveries)
}

fn statuses(deliveries: &[Value]) -> Vec<(String, String)> {
    deliveries
        .iter()
        .map(|d| {
            (
                d["recipient"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                d["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Put SES's report about the e-mail `event_id` → `recipient` on the stack's bus, as SES's
/// configuration set publishes it (`detail` is SES's event-publishing record), and hand it to the
/// notifier.
async fn ses_reports(
    s: &Stack,
    detail_type: &str,
    event_id: &str,
    recipient: &Person,
    detail: Value,
) {
    let set = s
        .env
        .get("SES_CONFIGURATION_SET")
        .map_or("taskboard", String::as_str)
        .to_owned();
    ses_reports_from(s, &set, detail_type, event_id, recipient, detail).await;
}

/// As [`ses_reports`], for mail sent through the configuration set `set`.
async fn ses_reports_from(
    s: &Stack,
    set: &str,
    detail_type: &str,
    event_id: &str,
    recipient: &Person,
    detail: Value,
) {
    let tag = DeliveryTag::for_record(&format!("{event_id}#{}", recipient.id)).expect("tag");
    let mut detail = detail;
    detail["mail"] = json!({
        "timestamp": "2026-11-25T10:00:00.000Z",
        "source": "notifications@taskboard.test",
        "messageId": "0100019a-test-message",
        "destination": [recipient.email],
        "tags": {
            "ses:configuration-set": [set],
            DeliveryTag::NAME: [tag.value()],
        },
    });
    let sdk = taskboard_testing::sdk_config().await;
    let out = aws_sdk_eventbridge::Client::new(&sdk)
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .event_bus_name(&s.env["EVENT_BUS_NAME"])
                .source("aws.ses")
                .detail_type(detail_type)
                .detail(detail.to_string())
                .build(),
        )
        .send()
        .await
        .expect("put the SES report");
    assert_eq!(out.failed_entry_count(), 0, "{out:?}");
    s.deliver().await;
}

async fn mail_stopped(s: &Stack, who: &Person) -> Value {
    let me = s.call(who, Method::GET, "/api/auth/me", None).await;
    me.assert_status(StatusCode::OK);
    me.json()["mail_stopped"].clone()
}

#[tokio::test]
async fn a_bounce_shows_in_the_history_stops_task_mail_and_a_confirmed_address_gets_it_again() {
    let s = Stack::start().await;
    let ada = s.person("Ada").await;
    let bob = s.person("Bob").await;

    // Ada gives Bob a task: the history shows Bob was e-mailed.
    let task = s
        .call(
            &ada,
            Method::POST,
            "/api/tasks",
            Some(json!({"title": "Renew the certificate", "assignee_id": bob.id})),
        )
        .await;
    task.assert_status(StatusCode::CREATED);
    let task = task.json()["id"].as_str().unwrap().to_owned();
    s.deliver().await;
    assert_eq!(to(&s.mail_count(1).await, &bob).len(), 1);
    let (created, sent) = deliveries(&s, &ada, &task, 0).await;
    assert_eq!(statuses(&sent), [("Bob".to_owned(), "sent".to_owned())]);
    assert_eq!(sent[0]["recipient"]["id"], json!(bob.id));
    assert_eq!(mail_stopped(&s, &bob).await, Value::Null);

    // Bob's mail server refuses it for good.
    ses_reports(
        &s,
        "Email Bounced",
        &created,
        &bob,
        json!({
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": bob.email, "status": "5.1.1", "action": "failed"}],
                "timestamp": "2026-11-25T10:00:05.000Z",
                "feedbackId": "0100019a-feedback",
            },
        }),
    )
    .await;
    let (_, bounced) = deliveries(&s, &ada, &task, 0).await;
    assert_eq!(
        statuses(&bounced),
        [("Bob".to_owned(), "bounced".to_owned())]
    );
    assert_eq!(bounced[0]["at"], json!("2026-11-25T10:00:05Z"));
    // Bob sees why his mail stopped.
    assert_eq!(
        mail_stopped(&s, &bob).await,
        json!({"reason": "bounce", "since": "2026-11-25T10:00:05Z"})
    );

    // The next change is not e-mailed to him, and the history says why.
    s.call(
        &ada,
        Method::PATCH,
        &format!("/api/tasks/{task}"),
        Some(json!({"status": "in_progress"})),
    )
    .await
    .assert_status(StatusCode::OK);
    s.deliver().await;
    let (_, suppressed) = deliveries(&s, &ada, &task, 0).await;
    assert_eq!(
        statuses(&suppressed),
        [("Bob".to_owned(), "suppressed".to_owned())]
    );
    assert_eq!(to(&s.mail().await, &bob).len(), 1, "no second task e-mail");

    // Bob proves the address again through the link it sends him; task mail restarts.
    s.call(&bob, Method::POST, "/api/auth/email/confirm", None)
        .await
        .assert_status(StatusCode::ACCEPTED);
    s.send_account_mail().await;
    let link = mailbox::wait_for(&bob.email, "to get Taskboard e-mail again").await;
    let token = mailbox::link_token(&link.body, "verify");
    s.client
        .post("/api/auth/verify", &json!({"token": token}), None)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(mail_stopped(&s, &bob).await, Value::Null);
    s.call(
        &ada,
        Method::PATCH,
        &format!("/api/tasks/{task}"),
        Some(json!({"title": "Renew the TLS certificate"})),
    )
    .await
    .assert_status(StatusCode::OK);
    s.deliver().await;
    assert_eq!(to(&s.mail_count(2).await, &bob).len(), 2);
    let (_, again) = deliveries(&s, &ada, &task, 0).await;
    assert_eq!(statuses(&again), [("Bob".to_owned(), "sent".to_owned())]);
}

#[tokio::test]
async fn a_complaint_outranks_delivery_and_later_reports_do_not_undo_it() {
    let s = Stack::start().await;
    let ada = s.person("Ada").await;
    let bob = s.person("Bob").await;
    let task = s
        .call(
            &ada,
            Method::POST,
            "/api/tasks",
            Some(json!({"title": "Plan the offsite", "assignee_id": bob.id})),
        )
        .await;
    task.assert_status(StatusCode::CREATED);
    let task = task.json()["id"].as_str().unwrap().to_owned();
    s.deliver().await;
    s.mail_count(1).await;
    let (event, _) = deliveries(&s, &ada, &task, 0).await;

    let delivered = json!({
        "eventType": "Delivery",
        "delivery": {"timestamp": "2026-11-25T10:00:02.000Z", "recipients": [bob.email], "smtpResponse": "250 ok"},
    });
    ses_reports(&s, "Email Delivered", &event, &bob, delivered.clone()).await;
    assert_eq!(
        statuses(&deliveries(&s, &ada, &task, 0).await.1),
        [("Bob".to_owned(), "delivered".to_owned())]
    );
    // A transient bounce after delivery (an auto-reply, a full mailbox) shows, but stops nothing.
    ses_reports(
        &s,
        "Email Bounced",
        &event,
        &bob,
        json!({"eventType": "Bounce", "bounce": {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": bob.email}], "timestamp": "2026-11-25T10:00:03.000Z"}}),
    )
    .await;
    assert_eq!(mail_stopped(&s, &bob).await, Value::Null);
    ses_reports(
        &s,
        "Email Complaint Received",
        &event,
        &bob,
        json!({"eventType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": bob.email}], "timestamp": "2026-11-25T11:00:00.000Z", "complaintFeedbackType": "abuse"}}),
    )
    .await;
    // Reports come again and out of order: nothing moves backwards.
    ses_reports(&s, "Email Delivered", &event, &bob, delivered).await;
    ses_reports(
        &s,
        "Email Bounced",
        &event,
        &bob,
        json!({"eventType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": bob.email}], "timestamp": "2026-11-25T12:00:00.000Z"}}),
    )
    .await;
    // Bob sees his own complaint; a teammate sees only that his mail has stopped.
    assert_eq!(
        statuses(&deliveries(&s, &bob, &task, 0).await.1),
        [("Bob".to_owned(), "complained".to_owned())]
    );
    assert_eq!(
        statuses(&deliveries(&s, &ada, &task, 0).await.1),
        [("Bob".to_owned(), "suppressed".to_owned())]
    );
    assert_eq!(
        mail_stopped(&s, &bob).await,
        json!({"reason": "complaint", "since": "2026-11-25T11:00:00Z"}),
        "a later bounce does not hide the complaint"
    );
}

#[tokio::test]
async fn a_report_with_a_forged_or_unknown_tag_changes_no_record() {
    let s = Stack::start().await;
    let ada = s.person("Ada").await;
    let bob = s.person("Bob").await;
    let task = s
        .call(
            &ada,
            Method::POST,
            "/api/tasks",
            Some(json!({"title": "Order chairs", "assignee_id": bob.id})),
        )
        .await;
    task.assert_status(StatusCode::CREATED);
    let task = task.json()["id"].as_str().unwrap().to_owned();
    s.deliver().await;
    s.mail_count(1).await;
    // A report naming an event that has no record for Bob (another task's, or made up).
    let unknown = taskboard_domain::ProjectId::new().to_string();
    ses_reports(
        &s,
        "Email Delivered",
        &unknown,
        &bob,
        json!({"eventType": "Delivery", "delivery": {"timestamp": "2026-11-25T10:00:02.000Z"}}),
    )
    .await;
    assert_eq!(
        statuses(&deliveries(&s, &ada, &task, 0).await.1),
        [("Bob".to_owned(), "sent".to_owned())]
    );
    // And no record was made up for it.
    let sdk = taskboard_testing::sdk_config().await;
    let made_up = aws_sdk_dynamodb::Client::new(&sdk)
        .get_item()
        .table_name(&s.env["NOTIFICATIONS_TABLE"])
        .key(
            "delivery_id",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("{unknown}#{}", bob.id)),
        )
        .send()
        .await
        .expect("read the notifications table");
    assert_eq!(made_up.item, None);
}

/// Every stack (and any other application) in the account shares the default bus SES reports to:
/// a bounce of mail another configuration set sent suppresses nothing here.
#[tokio::test]
async fn a_report_about_another_stacks_mail_changes_nothing_here() {
    let s = Stack::start_with(&[("SES_CONFIGURATION_SET", "taskboard-prod".to_owned())]).await;
    let ada = s.person("Ada").await;
    let bob = s.person("Bob").await;
    let task = s
        .call(
            &ada,
            Method::POST,
            "/api/tasks",
            Some(json!({"title": "Book the venue", "assignee_id": bob.id})),
        )
        .await;
    task.assert_status(StatusCode::CREATED);
    let task = task.json()["id"].as_str().unwrap().to_owned();
    s.deliver().await;
    s.mail_count(1).await;
    let (event, _) = deliveries(&s, &ada, &task, 0).await;
    let bounce = json!({
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": bob.email}], "timestamp": "2026-11-25T10:00:05.000Z"},
    });
    ses_reports_from(
        &s,
        "taskboard-staging",
        "Email Bounced",
        &event,
        &bob,
        bounce.clone(),
    )
    .await;
    assert_eq!(mail_stopped(&s, &bob).await, Value::Null);
    assert_eq!(
        statuses(&deliveries(&s, &ada, &task, 0).await.1),
        [("Bob".to_owned(), "sent".to_owned())]
    );
    // The same report about this stack's own mail is acted on.
    ses_reports_from(&s, "taskboard-prod", "Email Bounced", &event, &bob, bounce).await;
    assert_eq!(mail_stopped(&s, &bob).await["reason"], "bounce");
}
