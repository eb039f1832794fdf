//! The real `log-notifier` binary handles one EventBridge event (the file in
//! `functions/log-notifier/events/`) driven through the Lambda Runtime API, and sends its e-mail
//! through the emulator's SES.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use taskboard_core::tables;
use taskboard_testing::TestTables;
use taskboard_testing::runtime::{FakeRuntime, Outcome};

const SENDER: &str = "notifications@taskboard.test";

#[tokio::test]
async fn the_notifier_binary_sends_the_mail_for_one_event() {
    let sdk = taskboard_testing::sdk_config().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let tables = TestTables::new(&dynamo).await;
    taskboard_testing::verify_sender(&sdk, SENDER).await;

    // A fresh event id, so this run's delivery is new.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/events/task-status-changed.json"
    );
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let event_id = uuid::Uuid::new_v4().to_string();
    event["detail"]["event_id"] = Value::String(event_id.clone());

    let mut runtime = FakeRuntime::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_log-notifier"))
        .envs(runtime.lambda_env("log-notifier"))
        .envs(tables.env())
        .env("SENDER_ADDRESS", SENDER)
        .env("SITE_URL", "http://127.0.0.1:3000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the notifier binary");
    runtime.invoke(event.clone()).await;
    let summary = match runtime.outcome(Duration::from_secs(60)).await {
        Some(Outcome::Response { body, .. }) => body,
        other => panic!("expected a response, got {other:?}"),
    };
    // Bob changed the status; Ada (the creator) is told, Bob (the actor) is not.
    assert_eq!(summary["sent"], 1, "{summary}");
    assert_eq!(summary["skipped_duplicates"], 0);

    // Delivered again (EventBridge retries are at-least-once): nothing is sent twice.
    runtime.invoke(event).await;
    match runtime.outcome(Duration::from_secs(60)).await {
        Some(Outcome::Response { body, .. }) => assert_eq!(body["skipped_duplicates"], 1, "{body}"),
        other => panic!("expected a response, got {other:?}"),
    }
    let record = dynamo
        .scan()
        .table_name(tables.name(&tables::NOTIFICATIONS))
        .send()
        .await
        .unwrap();
    assert_eq!(record.items().len(), 1);
    assert_eq!(record.items()[0]["state"].as_s().unwrap(), "sent");
    assert!(
        record.items()[0]["delivery_id"]
            .as_s()
            .unwrap()
            .starts_with(&event_id)
    );
    child.kill().await.ok();
}
