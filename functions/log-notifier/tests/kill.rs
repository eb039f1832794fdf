//! Issue 14: the notifier binary killed in the middle of an invocation, driven through the fake
//! Runtime API with its AWS calls through a fault proxy. The claim window is 2 s here
//! (`CLAIM_STALE_SECS`) instead of 45, so the retry that takes over comes quickly.
//!
//! - Killed after its claim, before SES accepted: the next invocations fail retryably while the
//!   claim may be live, then one takes it over and the e-mail arrives once.
//! - Killed after SES accepted, before the delivery was recorded: the one window no record can
//!   close. The retry sends it again, so the recipient gets it twice; `docs/operations.md`
//!   explains it and the soak counts it apart.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use taskboard_testing::TestTables;
use taskboard_testing::faults::{Fault, FaultProxy};
use taskboard_testing::runtime::{FakeRuntime, Outcome};

const SENDER: &str = "notifications@taskboard.test";

struct Notifier {
    proxy: FaultProxy,
    tables: TestTables,
    recipient: String,
    event: Value,
}

impl Notifier {
    async fn new(seed: u64) -> Self {
        let sdk = taskboard_testing::sdk_config().await;
        let tables = TestTables::new(&aws_sdk_dynamodb::Client::new(&sdk)).await;
        taskboard_testing::verify_sender(&sdk, SENDER).await;
        let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/events/task-status-changed.json"
        );
        let text = std::fs::read_to_string(path)
            .unwrap()
            .replace("ada@example.com", &format!("ada-{tag}@example.com"))
            .replace("bob@example.com", &format!("bob-{tag}@example.com"));
        let mut event: Value = serde_json::from_str(&text).unwrap();
        event["detail"]["event_id"] = Value::String(uuid::Uuid::now_v7().to_string());
        Self {
            proxy: FaultProxy::for_emulator(seed).await,
            tables,
            recipient: format!("ada-{tag}@example.com"),
            event,
        }
    }

    fn spawn(&self, runtime: &FakeRuntime) -> tokio::process::Child {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_log-notifier"))
            .envs(runtime.lambda_env("log-notifier"))
            .envs(self.tables.env())
            .env("AWS_ENDPOINT_URL", self.proxy.endpoint())
            .env("SENDER_ADDRESS", SENDER)
            .env("SITE_URL", "http://127.0.0.1:3000")
            .env("CLAIM_STALE_SECS", "2")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start the notifier binary")
    }

    /// Wait until the proxy has seen `n` calls of `operation`.
    async fn seen(&self, operation: &str, n: u64) {
        taskboard_testing::eventually(Duration::from_secs(20), operation, || async {
            (self.proxy.calls().get(operation).copied().unwrap_or(0) >= n).then_some(())
        })
        .await;
    }

    async fn mail_count(&self) -> usize {
        let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
        taskboard_testing::mailbox::fetch_to(&endpoint, &self.recipient)
            .await
            .unwrap()
            .len()
    }

    /// Invoke a fresh process until one invocation succeeds, as Lambda's retries would (each
    /// failure must be the retryable one); returns how many failed first.
    async fn retry_until_done(&self) -> usize {
        let mut runtime = FakeRuntime::start().await;
        let mut child = self.spawn(&runtime);
        let mut failed = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            runtime.invoke(self.event.clone()).await;
            match runtime.outcome(Duration::from_secs(20)).await {
                Some(Outcome::Response { .. }) => break,
                Some(Outcome::Error { body, .. }) => {
                    assert!(body.to_string().contains("retried"), "{body}");
                    assert!(tokio::time::Instant::now() < deadline, "never succeeded");
                    failed += 1;
                    // Lambda's own retry comes a minute later; the claim window here is 2 s.
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        child.kill().await.ok();
        failed
    }
}

#[tokio::test]
async fn killed_after_its_claim_the_e_mail_is_still_sent_once() {
    let n = Notifier::new(14).await;
    n.proxy.next("SendEmail", Fault::Hang, 1);
    let runtime = FakeRuntime::start().await;
    let mut child = n.spawn(&runtime);
    runtime.invoke(n.event.clone()).await;
    n.seen("SendEmail", 1).await;
    child
        .kill()
        .await
        .expect("kill the notifier mid-invocation");
    assert_eq!(n.mail_count().await, 0, "killed before SES accepted it");

    n.retry_until_done().await;
    assert_eq!(
        n.mail_count().await,
        1,
        "sent once, by the invocation that took the claim over"
    );
}

#[tokio::test]
async fn killed_after_ses_accepted_the_retry_sends_it_again_the_one_window_left_open() {
    let n = Notifier::new(41).await;
    // The recipient's cap is the first UpdateItem; recording the sent message is the second.
    n.proxy.after("UpdateItem", 1, Fault::Hang, 100);
    let runtime = FakeRuntime::start().await;
    let mut child = n.spawn(&runtime);
    runtime.invoke(n.event.clone()).await;
    n.seen("UpdateItem", 2).await;
    child
        .kill()
        .await
        .expect("kill the notifier mid-invocation");
    assert_eq!(n.mail_count().await, 1, "SES accepted it before the kill");

    n.proxy.heal();
    n.retry_until_done().await;
    assert_eq!(
        n.mail_count().await,
        2,
        "sent again: nothing recorded that SES had accepted it (docs/operations.md)"
    );
}
