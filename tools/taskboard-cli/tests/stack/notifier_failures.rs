//! Idempotency and failure handling of the notifier, with real DynamoDB and SES in the emulator.

use http::Method;
use serde_json::{Value, json};
use taskboard_core::aws::LazyClient;
use taskboard_domain::EmailAddress;
use taskboard_domain::SiteUrl;
use taskboard_log_notifier::deliveries::{Deliveries, delivery_id};
use taskboard_log_notifier::handler::parse_envelope;
use taskboard_log_notifier::mailer::Mailer;
use taskboard_log_notifier::{Notifier, NotifierConfig, NotifyError};

use crate::helpers::{Person, Stack, to};

/// Ada creates a task for Bob; returns the event envelope as EventBridge would deliver it.
async fn assigned_event(s: &Stack) -> (Person, Person, String) {
    let ada = s.person("Ada").await;
    let bob = s.person("Bob").await;
    s.call(
        &ada,
        Method::POST,
        "/api/tasks",
        Some(json!({"title": "Once only", "assignee_id": bob.id})),
    )
    .await;
    let detail: String = sqlx::query_scalar("SELECT detail FROM outbox ORDER BY seq DESC LIMIT 1")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    let envelope = json!({
        "version": "0", "id": uuid::Uuid::new_v4().to_string(), "detail-type": detail["type"],
        "source": "taskboard.tasks", "account": "000000000000", "time": detail["occurred_at"],
        "region": "eu-west-1", "resources": [], "detail": detail,
    });
    (ada, bob, envelope.to_string())
}

async fn deliveries(s: &Stack) -> Deliveries {
    let sdk = taskboard_testing::sdk_config().await;
    Deliveries::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        s.env["NOTIFICATIONS_TABLE"].clone(),
    )
}

#[tokio::test]
async fn the_same_event_twice_or_twice_at_once_sends_each_mail_once() {
    let s = Stack::start().await;
    let (ada, bob, envelope) = assigned_event(&s).await;
    let notifier = &s.stack.notifier;
    let first = notifier
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .unwrap();
    assert_eq!(first.sent, 1);
    let again = notifier
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .unwrap();
    assert_eq!((again.sent, again.skipped_duplicates), (0, 1));
    let (a, b) = tokio::join!(
        notifier.handle(parse_envelope(&envelope).unwrap()),
        notifier.handle(parse_envelope(&envelope).unwrap()),
    );
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 0);
    // The copy the rule delivered to the queue is a duplicate too.
    s.deliver().await;
    let mail = s.mail().await;
    assert_eq!(
        to(&mail, &bob).len(),
        1,
        "one e-mail, whatever the deliveries"
    );
    assert!(to(&mail, &ada).is_empty());
}

#[tokio::test]
async fn two_fresh_concurrent_deliveries_race_and_one_wins() {
    let s = Stack::start().await;
    let (_ada, bob, envelope) = assigned_event(&s).await;
    let notifier = &s.stack.notifier;
    let (a, b) = tokio::join!(
        notifier.handle(parse_envelope(&envelope).unwrap()),
        notifier.handle(parse_envelope(&envelope).unwrap()),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 1);
    assert_eq!(a.skipped_duplicates + b.skipped_duplicates, 1);
    assert_eq!(to(&s.mail().await, &bob).len(), 1);
}

#[tokio::test]
async fn a_refused_message_is_recorded_and_not_retried() {
    let s = Stack::start().await;
    let (_ada, bob, envelope) = assigned_event(&s).await;
    // SES refuses mail from an unverified sender (MessageRejected): a permanent failure.
    let mut env = s.env.clone();
    env.insert(
        "SENDER_ADDRESS".into(),
        format!("unverified-{}@example.com", s.tag),
    );
    let config = NotifierConfig::from_env(&move |n: &str| env.get(n).cloned()).unwrap();
    let refusing = Notifier::from_config(&config);
    let summary = refusing
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .expect("not retried");
    assert_eq!(summary.failed_permanently, 1);
    let event: Value = serde_json::from_str(&envelope).unwrap();
    let id = delivery_id(event["detail"]["event_id"].as_str().unwrap(), &bob.id);
    assert_eq!(
        deliveries(&s).await.state(&id).await.unwrap().as_deref(),
        Some("failed")
    );
    // Delivered again, it is not tried again.
    let again = refusing
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .unwrap();
    assert_eq!(again.skipped_duplicates, 1);
    assert!(to(&s.mail().await, &bob).is_empty());
}

#[tokio::test]
async fn a_temporary_failure_fails_the_invocation_and_the_retry_sends_once() {
    let s = Stack::start().await;
    let (_ada, bob, envelope) = assigned_event(&s).await;
    let down = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    let failing = Notifier::new(
        deliveries(&s).await,
        Mailer::new(
            LazyClient::ready(aws_sdk_sesv2::Client::new(&down)),
            EmailAddress::parse("notifications@taskboard.test").unwrap(),
        ),
        SiteUrl::parse("http://127.0.0.1:3000").unwrap(),
    );
    let err = failing
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotifyError::Temporary { failed: 1, .. }),
        "{err}"
    );
    let event: Value = serde_json::from_str(&envelope).unwrap();
    let id = delivery_id(event["detail"]["event_id"].as_str().unwrap(), &bob.id);
    assert_eq!(
        deliveries(&s).await.state(&id).await.unwrap(),
        None,
        "the claim was released for the retry"
    );

    // The retried invocation (SES reachable again) sends it, once.
    assert_eq!(
        s.stack
            .notifier
            .handle(parse_envelope(&envelope).unwrap())
            .await
            .unwrap()
            .sent,
        1
    );
    s.deliver().await;
    assert_eq!(to(&s.mail().await, &bob).len(), 1);
    assert_eq!(
        deliveries(&s).await.state(&id).await.unwrap().as_deref(),
        Some("sent")
    );
}

#[tokio::test]
async fn an_unknown_schema_version_is_refused_loudly() {
    let s = Stack::start().await;
    let (_ada, bob, envelope) = assigned_event(&s).await;
    let mut event: Value = serde_json::from_str(&envelope).unwrap();
    event["detail"]["schema_version"] = json!(2);
    let err = s
        .stack
        .notifier
        .handle(parse_envelope(&event.to_string()).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        NotifyError::UnsupportedSchema { version: 2, .. }
    ));
    assert!(to(&s.mail().await, &bob).is_empty());
}
