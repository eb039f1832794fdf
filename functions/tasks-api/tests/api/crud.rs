use http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, title};

#[tokio::test]
async fn create_answers_201_with_location_etag_and_defaults() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let res = app
        .create(&ada, json!({"title": "  Write the release notes ", "description": "Line 1\nLine 2", "due_date": "2026-12-01"}))
        .await;
    res.assert_status(StatusCode::CREATED);
    let task = res.json();
    assert_eq!(
        res.header("location"),
        format!("/api/tasks/{}", task["id"].as_str().unwrap())
    );
    assert_eq!(res.header("etag"), "\"1\"");
    assert_eq!(task["title"], "Write the release notes");
    assert_eq!(task["description"], "Line 1\nLine 2");
    assert_eq!(task["status"], "todo");
    assert_eq!(task["assignee"], serde_json::Value::Null);
    assert_eq!(task["due_date"], "2026-12-01");
    assert_eq!(task["created_by"]["id"], ada.id.to_string());
    assert_eq!(task["created_by"]["name"], "Ada");
    assert_eq!(task["version"], 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox").await,
        1,
        "the change has its event"
    );
}

#[tokio::test]
async fn get_returns_the_task_with_its_etag_and_404_when_absent() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Read me")).await;
    let id = task["id"].as_str().unwrap();
    let res = app.get(&ada, &format!("/api/tasks/{id}")).await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.header("etag"), "\"1\"");
    assert_eq!(res.json(), task);
    app.get(&ada, "/api/tasks/01a209a9-1fd4-70ea-80aa-b95618084e36")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.get(&ada, "/api/tasks/not-an-id")
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn patch_changes_only_the_fields_sent_and_null_clears() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let bob = app.member("Bob").await;
    let task = app
        .task(&ada, json!({"title": "T", "description": "D", "due_date": "2026-12-01", "assignee_id": bob.id.to_string()}))
        .await;
    let id = task["id"].as_str().unwrap();

    let res = app
        .patch(&ada, id, json!({"status": "in_progress"}), Some("*"))
        .await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.header("etag"), "\"2\"");
    let after = res.json();
    assert_eq!(after["status"], "in_progress");
    assert_eq!(after["title"], "T");
    assert_eq!(after["description"], "D");
    assert_eq!(after["assignee"]["id"], bob.id.to_string());

    let cleared = app
        .patch(
            &ada,
            id,
            json!({"description": null, "due_date": null, "assignee_id": null}),
            None,
        )
        .await;
    cleared.assert_status(StatusCode::OK);
    let cleared = cleared.json();
    assert_eq!(cleared["description"], serde_json::Value::Null);
    assert_eq!(cleared["due_date"], serde_json::Value::Null);
    assert_eq!(cleared["assignee"], serde_json::Value::Null);
    assert_eq!(cleared["version"], 3);
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_the_version_and_logs_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Same")).await;
    let res = app
        .patch(
            &ada,
            task["id"].as_str().unwrap(),
            json!({"title": " Same "}),
            None,
        )
        .await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.json()["version"], 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);
}

#[tokio::test]
async fn delete_answers_204_and_the_task_is_gone() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Temporary")).await;
    let id = task["id"].as_str().unwrap();
    app.delete(&ada, id, Some("\"1\""))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    app.get(&ada, &format!("/api/tasks/{id}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&ada, id, Some("*"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, 0);
}

#[tokio::test]
async fn every_validation_rule_is_enforced_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let cases = [
        (json!({"title": "   "}), "title"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"title": "a\u{0}b"}), "title"),
        (
            json!({"title": "ok", "description": "x".repeat(10_001)}),
            "description",
        ),
        (json!({"title": "ok", "status": "doing"}), "status"),
        (json!({"title": "ok", "due_date": "2026-02-30"}), "due_date"),
        (json!({"title": "ok", "due_date": "tomorrow"}), "due_date"),
        (json!({"title": "ok", "assignee_id": "bob"}), "assignee_id"),
        (json!({"title": "ok", "priority": "high"}), "priority"),
        (json!({"description": "no title"}), "title"),
        (json!({"title": 7}), "body"),
    ];
    for (body, field) in cases {
        let res = app.create(&ada, body.clone()).await;
        let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    // 200 characters of any script is fine.
    app.create(&ada, json!({"title": "é".repeat(200)}))
        .await
        .assert_status(StatusCode::CREATED);
}

#[tokio::test]
async fn a_bad_edit_is_refused_whole() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Keep")).await;
    let id = task["id"].as_str().unwrap();
    let res = app
        .patch(&ada, id, json!({"title": "New", "status": "nope"}), None)
        .await;
    res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    app.patch(&ada, id, json!({}), None)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    app.patch(&ada, id, json!({"title": null}), None)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let now = app.get(&ada, &format!("/api/tasks/{id}")).await.json();
    assert_eq!(now["title"], "Keep");
    assert_eq!(now["version"], 1);
}

#[tokio::test]
async fn assigning_to_an_unknown_user_is_a_field_error() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let ghost = "01a209a9-1fd4-70ea-80aa-b95618084e36";
    let res = app
        .create(&ada, json!({"title": "T", "assignee_id": ghost}))
        .await;
    let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(problem["errors"][0]["field"], "assignee_id");
    let task = app.task(&ada, title("T")).await;
    let res = app
        .patch(
            &ada,
            task["id"].as_str().unwrap(),
            json!({"assignee_id": ghost}),
            None,
        )
        .await;
    assert_eq!(
        res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation")["errors"][0]["field"],
        "assignee_id"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, 1);
}

#[tokio::test]
async fn every_route_needs_a_session() {
    let app = TestApp::spawn().await;
    let id = "01a209a9-1fd4-70ea-80aa-b95618084e36";
    for (method, path) in [
        (http::Method::GET, "/api/tasks".to_owned()),
        (http::Method::POST, "/api/tasks".to_owned()),
        (http::Method::GET, format!("/api/tasks/{id}")),
        (http::Method::PATCH, format!("/api/tasks/{id}")),
        (http::Method::DELETE, format!("/api/tasks/{id}")),
        (http::Method::GET, format!("/api/tasks/{id}/history")),
        (http::Method::GET, "/api/users".to_owned()),
    ] {
        let body = (method == http::Method::POST || method == http::Method::PATCH)
            .then(|| json!({"title": "x"}));
        let res = app
            .client
            .call(method.clone(), &path, body.as_ref(), None, &[])
            .await;
        res.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

#[tokio::test]
async fn users_lists_teammates_without_password_data() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    app.member("Bob").await;
    let res = app.get(&ada, "/api/users").await;
    res.assert_status(StatusCode::OK);
    let body = res.json();
    let names: Vec<_> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada", "Bob"]);
    assert!(!res.text().contains("argon2") && !res.text().contains("password"));
}

/// Issue 14: a change without `If-Match` was applied blindly, overwriting whatever happened
/// meanwhile. Now it is refused with 428 and changes nothing; `*` says "whatever is current".
#[tokio::test]
async fn a_change_without_if_match_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("Versioned")).await;
    let id = task["id"].as_str().unwrap();
    let path = format!("/api/tasks/{id}");
    let body = json!({"title": "Blind"});
    for response in [
        app.client
            .call(
                http::Method::PATCH,
                &path,
                Some(&body),
                Some(&ada.cookie),
                &[],
            )
            .await,
        app.client
            .call(http::Method::DELETE, &path, None, Some(&ada.cookie), &[])
            .await,
    ] {
        response.assert_status(StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(
            response.json()["type"],
            "urn:taskboard:problem:precondition-required"
        );
    }
    let current = app.get(&ada, &format!("/api/tasks/{id}")).await;
    assert_eq!(current.json()["title"], "Versioned");
    assert_eq!(current.header("etag"), "\"1\"");
    app.patch(&ada, id, json!({"title": "On purpose"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);
}
