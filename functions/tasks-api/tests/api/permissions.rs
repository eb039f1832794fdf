//! Who may do what: everyone reads; creator and assignee edit and move; only the creator deletes.

use http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_whole_permission_matrix() {
    let app = TestApp::spawn().await;
    let creator = app.member("Creator").await;
    let assignee = app.member("Assignee").await;
    let other = app.member("Other").await;
    let task = app
        .task(
            &creator,
            json!({"title": "Shared", "assignee_id": assignee.id.to_string()}),
        )
        .await;
    let id = task["id"].as_str().unwrap();
    let path = format!("/api/tasks/{id}");

    // Everyone signed in can read it and find it in the list.
    for who in [&creator, &assignee, &other] {
        app.get(who, &path).await.assert_status(StatusCode::OK);
        let list = app.get(who, "/api/tasks").await.json();
        assert_eq!(list["items"][0]["id"], id);
    }

    // Edit content and change status: creator and assignee yes, others no.
    app.patch(&creator, id, json!({"title": "By creator"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);
    app.patch(&assignee, id, json!({"title": "By assignee"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);
    app.patch(&creator, id, json!({"status": "in_progress"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);
    app.patch(&assignee, id, json!({"status": "done"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);
    app.patch(&other, id, json!({"title": "By other"}), Some("*"))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    app.patch(&other, id, json!({"status": "todo"}), Some("*"))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    app.patch(
        &other,
        id,
        json!({"assignee_id": other.id.to_string()}),
        None,
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "forbidden");

    // Delete: only the creator.
    app.delete(&assignee, id, Some("*"))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    app.delete(&other, id, Some("*"))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");

    let now = app.get(&other, &path).await.json();
    assert_eq!(now["title"], "By assignee");
    assert_eq!(now["status"], "done");

    // Reassigned away, the former assignee loses the right to edit.
    app.patch(
        &assignee,
        id,
        json!({"assignee_id": other.id.to_string()}),
        None,
    )
    .await
    .assert_status(StatusCode::OK);
    app.patch(&assignee, id, json!({"title": "Too late"}), Some("*"))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    app.patch(&other, id, json!({"title": "Mine now"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);

    app.delete(&creator, id, Some("*"))
        .await
        .assert_status(StatusCode::NO_CONTENT);
}
