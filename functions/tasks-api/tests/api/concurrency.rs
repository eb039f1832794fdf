//! Optimistic concurrency: `ETag` on reads, `If-Match` on writes, 412 when stale.

use http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, title};

#[tokio::test]
async fn two_patches_with_the_same_if_match_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Contended")).await;
    let id = task["id"].as_str().unwrap().to_owned();

    for round in 0..5 {
        let etag = app
            .get(&ada, &format!("/api/tasks/{id}"))
            .await
            .header("etag")
            .to_owned();
        let (a, b) = tokio::join!(
            app.patch(
                &ada,
                &id,
                json!({"title": format!("A{round}")}),
                Some(&etag)
            ),
            app.patch(
                &ada,
                &id,
                json!({"title": format!("B{round}")}),
                Some(&etag)
            ),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::PRECONDITION_FAILED],
            "round {round}"
        );
        let loser = if a.status == StatusCode::OK { &b } else { &a };
        loser.assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    }
    let now = app.get(&ada, &format!("/api/tasks/{id}")).await.json();
    assert_eq!(now["version"], 6, "five winning edits");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox").await,
        6,
        "one event per winning write"
    );
}

#[tokio::test]
async fn stale_weak_and_wildcard_preconditions() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let id = app.task(&ada, title("T")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(&ada, &id, json!({"title": "T2"}), Some("\"1\""))
        .await
        .assert_status(StatusCode::OK);
    app.patch(&ada, &id, json!({"title": "T3"}), Some("\"1\""))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.patch(&ada, &id, json!({"title": "T3"}), Some("W/\"2\""))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.patch(&ada, &id, json!({"title": "T3"}), Some("garbage"))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.patch(&ada, &id, json!({"title": "T3"}), Some("\"1\", \"2\""))
        .await
        .assert_status(StatusCode::OK);
    app.delete(&ada, &id, Some("\"2\""))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete(&ada, &id, Some("*"))
        .await
        .assert_status(StatusCode::NO_CONTENT);
}
