//! Idempotency, failure handling and the per-recipient cap of the notifier, with real DynamoDB
//! and SES in the emulator: the same event delivered again or twice at once, a refused message, a
//! temporary SES failure, an unknown schema version, and a flood of changes that ends in one
//! summary e-mail. Each test has its own tables and e-mail addresses.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use taskboard_core::aws::LazyClient;
use taskboard_core::rate::{RateLimit, RateLimiter};
use taskboard_core::suppressions::Suppressions;
use taskboard_core::tables;
use taskboard_domain::events::{DetailType, Person, SCHEMA_VERSION, TaskEvent, TaskSnapshot};
use taskboard_domain::{
    DisplayName, EmailAddress, ProjectId, ProjectName, ProjectRef, SiteUrl, TaskId, TaskStatus,
    TaskTitle, UserId,
};
use taskboard_log_notifier::caps::RecipientCap;
use taskboard_log_notifier::deliveries::{Deliveries, delivery_id};
use taskboard_log_notifier::handler::parse_envelope;
use taskboard_log_notifier::mailer::Mailer;
use taskboard_log_notifier::{Notifier, NotifyError, Summary};
use taskboard_testing::TestTables;
use taskboard_testing::mailbox::{self, SentMail};

const SENDER: &str = "notifications@taskboard.test";
const SITE: &str = "http://127.0.0.1:3000";

struct Setup {
    sdk: aws_config::SdkConfig,
    tables: TestTables,
    tag: String,
    ada: Person,
    bob: Person,
}

impl Setup {
    async fn new() -> Self {
        let sdk = taskboard_testing::sdk_config().await;
        let tables = TestTables::new(&aws_sdk_dynamodb::Client::new(&sdk)).await;
        taskboard_testing::verify_sender(&sdk, SENDER).await;
        let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let person = |name: &str| Person {
            id: UserId::new(),
            name: DisplayName::parse(name).unwrap(),
            email: EmailAddress::parse(&format!("{}-{tag}@example.com", name.to_lowercase()))
                .unwrap(),
        };
        let (ada, bob) = (person("Ada"), person("Bob"));
        Self {
            sdk,
            tables,
            tag,
            ada,
            bob,
        }
    }

    fn deliveries(&self) -> Deliveries {
        Deliveries::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            self.tables.name(&tables::NOTIFICATIONS),
        )
    }

    fn suppressions(&self) -> Suppressions {
        Suppressions::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            self.tables.name(&tables::NOTIFICATIONS),
        )
    }

    /// The per-recipient cap on this test's rate-limit table (`table` overrides it).
    fn cap(&self, per_hour: u32, table: Option<&str>) -> RecipientCap {
        let table = table.map_or_else(
            || self.tables.name(&tables::RATE_LIMITS).to_owned(),
            str::to_owned,
        );
        RecipientCap::new(
            RateLimiter::new(aws_sdk_dynamodb::Client::new(&self.sdk), table),
            RateLimit::per_hour(per_hour),
        )
    }

    fn notifier_with(
        &self,
        ses: &aws_config::SdkConfig,
        sender: &str,
        cap: RecipientCap,
    ) -> Notifier {
        Notifier::new(
            self.deliveries(),
            self.suppressions(),
            Mailer::new(
                LazyClient::ready(aws_sdk_sesv2::Client::new(ses)),
                EmailAddress::parse(sender).unwrap(),
            ),
            SiteUrl::parse(SITE).unwrap(),
            cap,
        )
    }

    fn notifier_sending_as(&self, sender: &str) -> Notifier {
        self.notifier_with(&self.sdk, sender, self.cap(100, None))
    }

    fn notifier(&self) -> Notifier {
        self.notifier_sending_as(SENDER)
    }

    /// One delivery of `envelope` to a notifier as deployed (a fresh invocation).
    async fn deliver(&self, envelope: &str) -> Result<Summary, NotifyError> {
        self.notifier()
            .handle(parse_envelope(envelope).unwrap())
            .await
    }

    /// Ada creates a task for Bob: the envelope EventBridge delivers to the notifier.
    fn assigned_event(&self) -> String {
        let now = chrono::Utc::now();
        let project = ProjectRef {
            id: ProjectId::new(),
            name: ProjectName::parse("Apollo").unwrap(),
        };
        let task = TaskSnapshot {
            id: TaskId::new(),
            project_id: project.id,
            title: TaskTitle::parse("Once only").unwrap(),
            description: None,
            status: TaskStatus::Todo,
            assignee: Some(self.bob.clone()),
            due_date: None,
            created_by: self.ada.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let detail = TaskEvent {
            event_id: uuid::Uuid::now_v7(),
            schema_version: SCHEMA_VERSION,
            detail_type: DetailType::Created,
            occurred_at: now,
            actor: self.ada.clone(),
            project,
            recipients: TaskEvent::concerned(&task, None),
            task,
            changes: Default::default(),
        };
        json!({
            "version": "0", "id": uuid::Uuid::new_v4().to_string(), "detail-type": "Task Created",
            "source": "taskboard.tasks", "account": "000000000000", "time": now.to_rfc3339(),
            "region": "eu-west-1", "resources": [], "detail": detail,
        })
        .to_string()
    }

    /// Mail sent to this test's people, newest first.
    async fn mail(&self) -> Vec<SentMail> {
        let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
        let suffix = format!("-{}@example.com", self.tag);
        mailbox::fetch_to(&endpoint, &suffix)
            .await
            .expect("mailbox")
    }
}

fn to<'a>(mail: &'a [SentMail], who: &Person) -> Vec<&'a SentMail> {
    mail.iter()
        .filter(|m| m.to.iter().any(|t| t == who.email.as_str()))
        .collect()
}

fn delivery_of(envelope: &str, who: &Person) -> String {
    let event: Value = serde_json::from_str(envelope).unwrap();
    delivery_id(
        event["detail"]["event_id"].as_str().unwrap(),
        &who.id.to_string(),
    )
}

#[tokio::test]
async fn the_same_event_twice_or_twice_at_once_sends_each_mail_once() {
    let s = Setup::new().await;
    let envelope = s.assigned_event();
    let notifier = s.notifier();
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
    // A late redelivery (the rule's own retry) is a duplicate too.
    let late = notifier
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .unwrap();
    assert_eq!(late.sent, 0);
    let mail = s.mail().await;
    assert_eq!(
        to(&mail, &s.bob).len(),
        1,
        "one e-mail, whatever the deliveries"
    );
    assert!(to(&mail, &s.ada).is_empty());
}

/// Two deliveries of a new event at once: one sends; the other finds the e-mail handled or still
/// being sent, and in that case fails retryably, so its retry finds it sent. Never two e-mails.
#[tokio::test]
async fn two_fresh_concurrent_deliveries_race_and_one_wins() {
    let s = Setup::new().await;
    let envelope = s.assigned_event();
    let notifier = s.notifier();
    let (a, b) = tokio::join!(
        notifier.handle(parse_envelope(&envelope).unwrap()),
        notifier.handle(parse_envelope(&envelope).unwrap()),
    );
    let sent: usize = [&a, &b]
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.sent)
        .sum();
    assert_eq!(sent, 1, "{a:?} {b:?}");
    for result in [a, b] {
        match result {
            Ok(summary) => assert!(summary.sent + summary.skipped_duplicates == 1),
            Err(NotifyError::Temporary { failed: 1, .. }) => {
                let retry = notifier
                    .handle(parse_envelope(&envelope).unwrap())
                    .await
                    .unwrap();
                assert_eq!((retry.sent, retry.skipped_duplicates), (0, 1));
            }
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(to(&s.mail().await, &s.bob).len(), 1);
}

/// Issue 14: an invocation that died after claiming must not turn its retries into silent
/// successes. While the claim may still be live, a delivery fails retryably (not "duplicate");
/// once it is older than the notifier can run, Lambda's next retry takes it over and sends.
#[tokio::test]
async fn a_claim_held_by_a_live_invocation_fails_retryably_and_a_dead_ones_is_taken_over() {
    let s = Setup::new().await;
    let envelope = s.assigned_event();
    let id = delivery_of(&envelope, &s.bob);
    let dynamo = aws_sdk_dynamodb::Client::new(&s.sdk);
    let claimed = |secs_ago: i64| {
        let (dynamo, table, id) = (
            dynamo.clone(),
            s.tables.name(&tables::NOTIFICATIONS).to_owned(),
            id.clone(),
        );
        async move {
            let at = chrono::Utc::now().timestamp() - secs_ago;
            dynamo
                .put_item()
                .table_name(table)
                .item("delivery_id", AttributeValue::S(id))
                .item("state", AttributeValue::S("sending".into()))
                .item("claimed_at", AttributeValue::N(at.to_string()))
                .item("expires_at", AttributeValue::N((at + 86_400).to_string()))
                .send()
                .await
                .unwrap();
        }
    };

    // Another invocation claimed it a second ago and may be sending now.
    claimed(1).await;
    let err = s.deliver(&envelope).await.unwrap_err();
    assert!(
        matches!(err, NotifyError::Temporary { failed: 1, .. }),
        "{err}"
    );
    assert!(to(&s.mail().await, &s.bob).is_empty());

    // It died: Lambda retries about a minute later, past the stale window.
    claimed(60).await;
    let retry = s.deliver(&envelope).await.unwrap();
    assert_eq!(retry.sent, 1);
    assert_eq!(to(&s.mail().await, &s.bob).len(), 1);
    assert_eq!(
        s.deliveries().state(&id).await.unwrap().as_deref(),
        Some("sent")
    );
}

#[tokio::test]
async fn a_refused_message_is_recorded_and_not_retried() {
    let s = Setup::new().await;
    let envelope = s.assigned_event();
    // SES refuses mail from an unverified sender (MessageRejected): a permanent failure.
    let refusing = s.notifier_sending_as(&format!("unverified-{}@example.com", s.tag));
    let summary = refusing
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .expect("not retried");
    assert_eq!(summary.failed_permanently, 1);
    let id = delivery_of(&envelope, &s.bob);
    assert_eq!(
        s.deliveries().state(&id).await.unwrap().as_deref(),
        Some("failed")
    );
    // Delivered again, it is not tried again.
    let again = refusing
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .unwrap();
    assert_eq!(again.skipped_duplicates, 1);
    assert!(to(&s.mail().await, &s.bob).is_empty());
}

#[tokio::test]
async fn a_temporary_failure_fails_the_invocation_and_the_retry_sends_once() {
    let s = Setup::new().await;
    let envelope = s.assigned_event();
    let down = taskboard_testing::unreachable_sdk_config().await;
    let failing = s.notifier_with(&down, SENDER, s.cap(100, None));
    let err = failing
        .handle(parse_envelope(&envelope).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotifyError::Temporary { failed: 1, .. }),
        "{err}"
    );
    let id = delivery_of(&envelope, &s.bob);
    assert_eq!(
        s.deliveries().state(&id).await.unwrap(),
        None,
        "the claim was released for the retry"
    );

    // The retried invocation (SES reachable again) sends it, once.
    let notifier = s.notifier();
    assert_eq!(
        notifier
            .handle(parse_envelope(&envelope).unwrap())
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(
        notifier
            .handle(parse_envelope(&envelope).unwrap())
            .await
            .unwrap()
            .sent,
        0
    );
    assert_eq!(to(&s.mail().await, &s.bob).len(), 1);
    assert_eq!(
        s.deliveries().state(&id).await.unwrap().as_deref(),
        Some("sent")
    );
}

#[tokio::test]
async fn an_unknown_schema_version_is_refused_loudly() {
    let s = Setup::new().await;
    let mut event: Value = serde_json::from_str(&s.assigned_event()).unwrap();
    event["detail"]["schema_version"] = json!(2);
    let err = s
        .notifier()
        .handle(parse_envelope(&event.to_string()).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        NotifyError::UnsupportedSchema { version: 2, .. }
    ));
    assert!(to(&s.mail().await, &s.bob).is_empty());
}

#[tokio::test]
async fn past_the_hourly_cap_a_recipient_gets_one_summary_instead_of_many() {
    let s = Setup::new().await;
    let notifier = s.notifier_with(&s.sdk, SENDER, s.cap(3, None));
    let events: Vec<String> = (0..8).map(|_| s.assigned_event()).collect();
    let mut capped = 0;
    for envelope in &events {
        let summary = notifier
            .handle(parse_envelope(envelope).unwrap())
            .await
            .unwrap();
        capped += summary.capped;
    }
    assert_eq!(capped, 5, "changes 4 to 8 are past the cap of 3");
    let mail = s.mail().await;
    let bobs = to(&mail, &s.bob);
    assert_eq!(bobs.len(), 4, "three e-mails and one summary, not eight");
    let summaries: Vec<_> = bobs
        .iter()
        .filter(|m| m.subject.contains("e-mails paused until"))
        .collect();
    assert_eq!(summaries.len(), 1);
    assert!(
        summaries[0].body.contains(&format!("{SITE}/")),
        "links to the board"
    );
    // Every capped change is recorded, so a redelivery of one neither mails nor counts again.
    for envelope in &events[3..] {
        let id = delivery_of(envelope, &s.bob);
        assert_eq!(
            s.deliveries().state(&id).await.unwrap().as_deref(),
            Some("capped")
        );
    }
    let again = notifier
        .handle(parse_envelope(&events[5]).unwrap())
        .await
        .unwrap();
    assert_eq!((again.sent, again.skipped_duplicates), (0, 1));
    assert_eq!(to(&s.mail().await, &s.bob).len(), 4);
}

#[tokio::test]
async fn a_summary_that_fails_temporarily_is_sent_by_the_retry() {
    let s = Setup::new().await;
    let down = taskboard_testing::unreachable_sdk_config().await;
    let notifier = s.notifier_with(&s.sdk, SENDER, s.cap(1, None));
    let first = s.assigned_event();
    notifier
        .handle(parse_envelope(&first).unwrap())
        .await
        .unwrap();
    let second = s.assigned_event();
    let failing = s.notifier_with(&down, SENDER, s.cap(1, None));
    let err = failing
        .handle(parse_envelope(&second).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::Temporary { .. }), "{err}");
    // The retry finds both claims released and sends the summary.
    let retried = notifier
        .handle(parse_envelope(&second).unwrap())
        .await
        .unwrap();
    assert_eq!(retried.capped, 1);
    let mail = s.mail().await;
    let bobs = to(&mail, &s.bob);
    assert_eq!(bobs.len(), 2);
    assert_eq!(
        bobs.iter()
            .filter(|m| m.subject.contains("e-mails paused until"))
            .count(),
        1
    );
}

#[tokio::test]
async fn without_its_counter_table_the_notifier_still_mails() {
    let s = Setup::new().await;
    let notifier = s.notifier_with(&s.sdk, SENDER, s.cap(1, Some("no-such-table")));
    for _ in 0..3 {
        let summary = notifier
            .handle(parse_envelope(&s.assigned_event()).unwrap())
            .await
            .unwrap();
        assert_eq!(summary.sent, 1);
    }
    assert_eq!(to(&s.mail().await, &s.bob).len(), 3);
}
