//! Account e-mail queued by the functions in the VPC and sent by the notifier from the queue's
//! stream: each message once, even when Lambda hands a batch over again, and a message SES could
//! not take yet is named for the retry and then sent once.

use std::collections::HashMap;

use taskboard_core::aws::LazyClient;
use taskboard_core::mail::Email;
use taskboard_core::mail_queue::MailQueue;
use taskboard_core::tables;
use taskboard_domain::EmailAddress;
use taskboard_log_notifier::deliveries::Deliveries;
use taskboard_log_notifier::mailer::Mailer;
use taskboard_log_notifier::outgoing::{Outgoing, QueuedMail};
use taskboard_testing::TestTables;
use taskboard_testing::faults::{Fault, FaultProxy};
use taskboard_testing::mailbox;

const SENDER: &str = "notifications@taskboard.test";

struct Setup {
    sdk: aws_config::SdkConfig,
    tables: TestTables,
    tag: String,
}

impl Setup {
    async fn new() -> Self {
        let sdk = taskboard_testing::sdk_config().await;
        let tables = TestTables::new(&aws_sdk_dynamodb::Client::new(&sdk)).await;
        taskboard_testing::verify_sender(&sdk, SENDER).await;
        let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        Self { sdk, tables, tag }
    }

    fn queue(&self) -> MailQueue {
        MailQueue::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            self.tables.name(&tables::OUTGOING_MAIL),
        )
    }

    fn outgoing(&self, ses: &aws_config::SdkConfig) -> Outgoing {
        Outgoing::new(
            Deliveries::new(
                aws_sdk_dynamodb::Client::new(&self.sdk),
                self.tables.name(&tables::NOTIFICATIONS),
            ),
            Mailer::new(
                LazyClient::ready(aws_sdk_sesv2::Client::new(ses)),
                EmailAddress::parse(SENDER).unwrap(),
            ),
            Some(self.queue()),
        )
    }

    fn email(&self, subject: &str) -> Email {
        Email {
            to: format!("ada-{}@example.com", self.tag),
            subject: subject.to_owned(),
            text: "Follow the link.".into(),
            html: "<p>Follow the link.</p>".into(),
        }
    }

    /// Queue `email` and return its stream record, as the queue's stream delivers it.
    async fn queued(&self, sequence: &str, email: &Email) -> QueuedMail {
        let id = self.queue().enqueue(email).await.unwrap();
        let image = HashMap::from([
            ("mail_id".to_owned(), id),
            ("to".to_owned(), email.to.clone()),
            ("subject".to_owned(), email.subject.clone()),
            ("text".to_owned(), email.text.clone()),
            ("html".to_owned(), email.html.clone()),
        ]);
        QueuedMail::from_image(sequence.to_owned(), "INSERT", &image)
    }

    async fn received(&self) -> Vec<String> {
        let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
        mailbox::fetch_to(&endpoint, &format!("ada-{}@example.com", self.tag))
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.subject)
            .collect()
    }

    async fn left_in_queue(&self) -> usize {
        aws_sdk_dynamodb::Client::new(&self.sdk)
            .scan()
            .table_name(self.tables.name(&tables::OUTGOING_MAIL))
            .send()
            .await
            .unwrap()
            .items()
            .len()
    }
}

#[tokio::test]
async fn a_queued_message_is_sent_once_even_when_its_batch_comes_again() {
    let s = Setup::new().await;
    let batch = vec![
        s.queued("1", &s.email("Reset your password")).await,
        s.queued("2", &s.email("Confirm your address")).await,
    ];
    let outgoing = s.outgoing(&s.sdk);
    assert_eq!(outgoing.send_batch(&batch).await, None);
    // Lambda hands the same batch over again (a retry after a later record failed).
    assert_eq!(outgoing.send_batch(&batch).await, None);
    let mut received = s.received().await;
    received.sort();
    assert_eq!(received, ["Confirm your address", "Reset your password"]);
    assert_eq!(s.left_in_queue().await, 0, "sent messages leave the queue");
}

#[tokio::test]
async fn a_message_ses_cannot_take_yet_is_retried_from_and_then_sent_once() {
    let s = Setup::new().await;
    let faults = FaultProxy::for_emulator(3).await;
    let through = taskboard_testing::sdk_config_via(&faults.endpoint()).await;
    let batch = vec![
        s.queued("1", &s.email("First")).await,
        s.queued("2", &s.email("Second")).await,
    ];
    // The first goes out; every attempt at the second is throttled.
    faults.after("SendEmail", 1, Fault::Throttled, 20);
    let outgoing = s.outgoing(&through);
    assert_eq!(outgoing.send_batch(&batch).await.as_deref(), Some("2"));
    assert_eq!(s.received().await, ["First"]);
    faults.heal();
    // Lambda retries from the record named.
    assert_eq!(outgoing.send_batch(&batch[1..]).await, None);
    let mut received = s.received().await;
    received.sort();
    assert_eq!(received, ["First", "Second"]);
}

#[tokio::test]
async fn a_record_that_is_not_a_new_message_is_passed_over() {
    let s = Setup::new().await;
    let removal = QueuedMail::from_image("1".into(), "REMOVE", &HashMap::new());
    let broken = QueuedMail::from_image("2".into(), "INSERT", &HashMap::new());
    assert_eq!(broken.mail, None);
    assert_eq!(
        s.outgoing(&s.sdk).send_batch(&[removal, broken]).await,
        None
    );
    assert!(s.received().await.is_empty());
}
