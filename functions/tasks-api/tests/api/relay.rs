//! No lost change, nothing delivered twice: the outbox relay under outages and concurrency.

use std::collections::HashSet;

use http::StatusCode;
use taskboard_domain::events::{SOURCE, TaskEvent};

use crate::helpers::{TestApp, title};

#[tokio::test]
async fn each_write_is_logged_and_published_once_through_the_rule() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Published")).await;
    let id = task["id"].as_str().unwrap();
    app.patch(&ada, id, serde_json::json!({"status": "done"}), None)
        .await
        .assert_status(StatusCode::OK);

    assert_eq!(app.unsent_outbox().await, 0, "the inline relay sent both");
    assert_eq!(app.log_items(id).await, 2);
    let delivered = app.delivered().await;
    assert_eq!(delivered.len(), 2);
    let types: Vec<_> = delivered
        .iter()
        .map(|e| e["detail-type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Task Created", "Task Status Changed"]);
    for envelope in &delivered {
        assert_eq!(envelope["source"], SOURCE);
        // The detail is the documented contract, parseable by the consumer's own type.
        let event: TaskEvent = serde_json::from_value(envelope["detail"].clone())
            .expect("detail matches the contract");
        assert_eq!(event.schema_version, 1);
        assert_eq!(event.task.id.to_string(), id);
        assert_eq!(event.detail_type.as_str(), envelope["detail-type"]);
    }
}

#[tokio::test]
async fn with_aws_unreachable_the_write_succeeds_and_is_delivered_once_later() {
    let app = TestApp::spawn_with_aws_down().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Written during an outage")).await;
    let id = task["id"].as_str().unwrap();
    assert_eq!(
        app.get(&ada, &format!("/api/tasks/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(app.unsent_outbox().await, 1, "kept for later");
    assert_eq!(app.log_items(id).await, 0);
    assert!(app.delivered().await.is_empty());
    let last_error: Option<String> = sqlx::query_scalar("SELECT last_error FROM outbox")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(last_error.is_some(), "the failure is recorded on the row");

    // AWS is back: the scheduled relay delivers it, exactly once.
    let relay = app.working_relay().await;
    assert_eq!(relay.relay_pending(100).await.unwrap().published, 1);
    assert_eq!(relay.relay_pending(100).await.unwrap().published, 0);
    assert_eq!(app.unsent_outbox().await, 0);
    assert_eq!(app.log_items(id).await, 1);
    let delivered = app.delivered().await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["detail"]["task"]["id"], id);
}

#[tokio::test]
async fn concurrent_relays_deliver_nothing_twice() {
    let app = TestApp::spawn_with_aws_down().await;
    let ada = app.member("Ada").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            app.task(&ada, title(&format!("Backlog {i}"))).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(app.unsent_outbox().await, 12);

    let (r1, r2, r3) = (
        app.working_relay().await,
        app.working_relay().await,
        app.working_relay().await,
    );
    let (a, b, c) = tokio::join!(
        r1.relay_pending(5),
        r2.relay_pending(5),
        r3.relay_pending(5)
    );
    let first = a.unwrap().published + b.unwrap().published + c.unwrap().published;
    let (a, b) = tokio::join!(r1.relay_pending(100), r2.relay_pending(100));
    let second = a.unwrap().published + b.unwrap().published;
    assert_eq!(first + second, 12);
    assert_eq!(app.unsent_outbox().await, 0);

    let delivered = app.delivered().await;
    let event_ids: HashSet<_> = delivered
        .iter()
        .map(|e| e["detail"]["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(delivered.len(), 12, "each event published once");
    assert_eq!(event_ids.len(), 12);
    for id in &ids {
        assert_eq!(app.log_items(id).await, 1);
    }
}

#[tokio::test]
async fn the_change_log_absorbs_a_repeated_delivery() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let id = app.task(&ada, title("Once")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Simulate a crash between publishing and marking the row sent.
    sqlx::query("UPDATE outbox SET sent_at = NULL")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.working_relay().await.relay_pending(10).await.unwrap();
    assert_eq!(
        app.log_items(&id).await,
        1,
        "the conditional put keeps one log item"
    );
}
