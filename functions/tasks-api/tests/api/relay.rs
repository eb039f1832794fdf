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
    app.patch(&ada, id, serde_json::json!({"status": "done"}), Some("*"))
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
    assert_eq!(relay.relay_pending(100).await.unwrap().logged, 1);
    assert_eq!(relay.relay_pending(100).await.unwrap().logged, 0);
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
    let first = a.unwrap().logged + b.unwrap().logged + c.unwrap().logged;
    let (a, b) = tokio::join!(r1.relay_pending(100), r2.relay_pending(100));
    let second = a.unwrap().logged + b.unwrap().logged;
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

/// A relay over the app's database whose AWS calls all fail (an outage).
async fn failing_relay(app: &TestApp) -> taskboard_tasks_api::relay::Relay {
    let dynamo = crate::helpers::unreachable_dynamo().await;
    taskboard_tasks_api::app::relay(
        app.db.pool.clone(),
        taskboard_tasks_api::changelog::ChangeLog::new(dynamo, app.config.task_log_table.clone()),
    )
}

async fn seq_of(app: &TestApp, task_id: &str) -> Vec<u64> {
    sqlx::query_scalar("SELECT seq FROM outbox WHERE task_id = ? ORDER BY seq")
        .bind(task_id)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

/// Issue 14: one row that can never be delivered used to end every pass, so everything queued
/// behind it waited for ever. Now it is set aside as dead (at once when it cannot be read, after
/// `MAX_ATTEMPTS` failures otherwise) and the rows behind it go out in the same drain.
#[tokio::test]
async fn a_poison_outbox_row_does_not_delay_the_rows_behind_it() {
    let app = TestApp::spawn_with_aws_down().await;
    let ada = app.member("Ada").await;
    let poison = app.task(&ada, title("Poison")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let failing = app.task(&ada, title("Keeps failing")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fine = app.task(&ada, title("Fine")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sqlx::query("UPDATE outbox SET detail = '{\"not\": \"an event\"}' WHERE task_id = ?")
        .bind(&poison)
        .execute(&app.db.pool)
        .await
        .unwrap();

    // An outage: the row that keeps failing, ten minutes old, dies on its last allowed attempt.
    sqlx::query(
        "UPDATE outbox SET attempts = ?, created_at = created_at - INTERVAL 11 MINUTE WHERE task_id = ?",
    )
        .bind(taskboard_tasks_api::outbox::MAX_ATTEMPTS - 1)
        .bind(&failing)
        .execute(&app.db.pool)
        .await
        .unwrap();
    // The pass fails (nothing could be sent) but sets both bad rows aside.
    let outage = failing_relay(&app).await.relay_pending(100).await;
    assert!(outage.is_err(), "{outage:?}");
    assert_eq!(app.working_relay().await.dead_rows().await.unwrap(), 2);

    let report = app.working_relay().await.drain(100).await.unwrap();
    assert_eq!(report.logged, 1, "{report:?}");
    assert_eq!(app.log_items(&fine).await, 1);
    let delivered = app.delivered().await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["detail"]["task"]["id"], fine.as_str());
    assert_eq!(app.working_relay().await.dead_rows().await.unwrap(), 2);
    // Dead rows are counted by their own metric, not as a growing backlog.
    assert_eq!(
        app.working_relay()
            .await
            .oldest_unsent_age_secs()
            .await
            .unwrap(),
        0
    );
    let reason: String = sqlx::query_scalar("SELECT last_error FROM outbox WHERE task_id = ?")
        .bind(&poison)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(reason.contains("unreadable event"), "{reason}");

    // The runbook's re-queue: once AWS is back the row that kept failing goes out.
    sqlx::query("UPDATE outbox SET dead_at = NULL, attempts = 0 WHERE task_id = ?")
        .bind(&failing)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        app.working_relay().await.drain(100).await.unwrap().logged,
        1
    );
    assert_eq!(app.log_items(&failing).await, 1);
}

/// Issue 14: inline relays of newer rows overtook older rows of the same task. A row is now
/// claimable only when no earlier row of its task is waiting, so a task's events are logged and
/// published in the order they happened, whichever relay gets there first.
#[tokio::test]
async fn events_of_one_task_go_out_in_the_order_they_happened() {
    let app = TestApp::spawn_with_aws_down().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("In order")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (status, version) in [("in_progress", "\"1\""), ("done", "\"2\"")] {
        app.patch(
            &ada,
            &task,
            serde_json::json!({"status": status}),
            Some(version),
        )
        .await
        .assert_status(StatusCode::OK);
    }
    let other = app.task(&ada, title("Another task")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seqs = seq_of(&app, &task).await;
    assert_eq!(seqs.len(), 3);

    // The inline relay of the newest row is handed the oldest waiting row of its task first.
    let outbox = taskboard_tasks_api::outbox::Outbox::new(app.db.pool.clone());
    match outbox.claim_up_to(seqs[2]).await.unwrap() {
        taskboard_tasks_api::outbox::Next::Claimed(row) => assert_eq!(row.seq, seqs[0]),
        other => panic!("expected the first row, got {other:?}"),
    }
    outbox.release(&[seqs[0]]).await.unwrap();

    // One pass takes the first waiting row of each task; the drain goes on until all are out.
    let relay = app.working_relay().await;
    assert_eq!(relay.relay_pending(100).await.unwrap().logged, 2);
    assert_eq!(relay.drain(100).await.unwrap().logged, 2);
    let versions: Vec<u64> = app
        .delivered()
        .await
        .iter()
        .filter(|e| e["detail"]["task"]["id"] == task.as_str())
        .map(|e| e["detail"]["task"]["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    assert_eq!(app.log_items(&other).await, 1);
}

/// The scheduled relay holds no row lock across its AWS calls: it leases rows in a short
/// transaction. A relay that dies after claiming leaves its rows to the next relay once the lease
/// has run out, and not before.
#[tokio::test]
async fn a_relay_that_dies_after_claiming_leaves_its_rows_to_the_next_after_the_lease() {
    let app = TestApp::spawn_with_aws_down().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Orphaned")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let outbox = taskboard_tasks_api::outbox::Outbox::new(app.db.pool.clone());
    let claimed = outbox.claim_batch(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // ...and the relay dies here. The row is not locked: other statements on it go through.
    sqlx::query("SELECT seq FROM outbox WHERE task_id = ? FOR UPDATE NOWAIT")
        .bind(&task)
        .fetch_all(&app.db.pool)
        .await
        .expect("no transaction holds the row");
    let relay = app.working_relay().await;
    assert_eq!(relay.relay_pending(10).await.unwrap().logged, 0, "leased");
    sqlx::query("UPDATE outbox SET lease_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(relay.relay_pending(10).await.unwrap().logged, 1);
    assert_eq!(app.log_items(&task).await, 1);
}

/// Upgrading across issue 16: a release whose relay published to EventBridge itself wrote the
/// change-log item (without its `event`), then lost its EventBridge access mid-rollout and left the
/// row unsent. The new relay finds the item there, gives it its event, and the stream's MODIFY
/// takes it to the publisher: the change is published once, not lost.
#[tokio::test]
async fn an_item_an_older_release_logged_but_never_published_is_published_after_the_upgrade() {
    let app = TestApp::spawn_with_aws_down().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Changed during the rollout")).await;
    let id = task["id"].as_str().unwrap();
    let detail: String = sqlx::query_scalar("SELECT detail FROM outbox")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    // What the older relay wrote: the item without `event` (its PutEvents then failed).
    let event: TaskEvent = serde_json::from_str(&detail).unwrap();
    let log = taskboard_tasks_api::changelog::ChangeLog::new(
        app.dynamo.clone(),
        app.config.task_log_table.clone(),
    );
    let s = |v: String| aws_sdk_dynamodb::types::AttributeValue::S(v);
    let log_key = format!(
        "{}#{}",
        event.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        event.event_id
    );
    app.dynamo
        .put_item()
        .table_name(&app.config.task_log_table)
        .item("task_id", s(id.to_owned()))
        .item("log_key", s(log_key))
        .item("event_id", s(event.event_id.to_string()))
        .item("detail_type", s(event.detail_type.as_str().to_owned()))
        .send()
        .await
        .unwrap();
    assert!(app.delivered().await.is_empty(), "nothing published yet");

    // The new release's scheduled relay.
    app.working_relay().await.drain(100).await.unwrap();
    assert_eq!(app.unsent_outbox().await, 0);
    assert_eq!(app.log_items(id).await, 1);
    let delivered = app.delivered().await;
    assert_eq!(delivered.len(), 1, "published once");
    assert_eq!(delivered[0]["detail"]["task"]["id"], id);
    // Relaying it again changes nothing.
    assert!(!log.record(&event, &detail).await.unwrap());
    assert!(app.delivered().await.is_empty());
}
