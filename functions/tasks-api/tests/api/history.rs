use http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn history_shows_who_changed_what_from_what_to_what_newest_first() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let bob = app.member("Bob").await;
    let cy = app.member("Cy").await;
    let task = app
        .task(
            &ada,
            json!({"title": "Draft", "assignee_id": bob.id.to_string()}),
        )
        .await;
    let id = task["id"].as_str().unwrap();
    app.patch(&bob, id, json!({"title": "Final"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);
    app.patch(&bob, id, json!({"status": "in_progress"}), Some("*"))
        .await
        .assert_status(StatusCode::OK);
    app.patch(
        &ada,
        id,
        json!({"assignee_id": cy.id.to_string(), "due_date": "2026-12-24"}),
        None,
    )
    .await
    .assert_status(StatusCode::OK);

    let res = app.get(&ada, &format!("/api/tasks/{id}/history")).await;
    res.assert_status(StatusCode::OK);
    let items = res.json()["items"].as_array().unwrap().clone();
    let types: Vec<_> = items.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "Task Assigned",
            "Task Status Changed",
            "Task Updated",
            "Task Created"
        ]
    );

    let reassigned = &items[0];
    assert_eq!(reassigned["actor"]["name"], "Ada");
    assert_eq!(reassigned["changes"]["assignee"]["from"]["name"], "Bob");
    assert_eq!(reassigned["changes"]["assignee"]["to"]["name"], "Cy");
    assert_eq!(
        reassigned["changes"]["due_date"],
        json!({"from": null, "to": "2026-12-24"})
    );
    assert_eq!(items[1]["actor"]["name"], "Bob");
    assert_eq!(
        items[1]["changes"],
        json!({"status": {"from": "todo", "to": "in_progress"}})
    );
    assert_eq!(
        items[2]["changes"],
        json!({"title": {"from": "Draft", "to": "Final"}})
    );
    assert_eq!(items[3]["changes"], json!({}));

    // Deleting keeps the history, which now ends with the deletion.
    app.delete(&ada, id, Some("*"))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let after = app
        .get(&cy, &format!("/api/tasks/{id}/history"))
        .await
        .json();
    assert_eq!(after["items"][0]["type"], "Task Deleted");
    assert_eq!(after["items"].as_array().unwrap().len(), 5);

    app.get(
        &ada,
        "/api/tasks/01a209a9-1fd4-70ea-80aa-b95618084e36/history",
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not-found");
}
