//! What the schemathesis run of docs/openapi.json (scripts/schemathesis.sh) found the API doing
//! against its document, each held here: `null` for a field the document types without it was
//! read as "left out" (and the write went through), an undeclared method was refused as a
//! cross-site request (403) instead of 405, and a cursor of the documented shape was refused.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Member, TestApp, json_ids, title};

async fn patch(app: &TestApp, who: &Member, path: &str, body: Value) -> Value {
    let res = app
        .client
        .call(Method::PATCH, path, Some(&body), Some(&who.cookie), &[])
        .await;
    res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation")
}

#[tokio::test]
async fn null_is_refused_where_the_document_allows_no_null() {
    let app = TestApp::spawn().await;
    let ada = app.owner("Ada").await;
    sqlx::query("UPDATE users SET is_admin = TRUE WHERE id = ?")
        .bind(ada.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let bob = app.member("Bob").await;
    let project = format!("/api/projects/{}", app.project);
    for (body, field) in [
        (json!({"archived": null, "name": "Renamed"}), "archived"),
        (json!({"name": null, "archived": true}), "name"),
    ] {
        let problem = patch(&app, &ada, &project, body).await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let now = app.get(&ada, &project).await.json();
    assert_eq!(now["archived"], false);
    assert_ne!(now["name"], "Renamed");

    let account = format!("/api/admin/users/{}", bob.id);
    for (body, field) in [
        (json!({"is_admin": null, "deactivated": true}), "is_admin"),
        (
            json!({"deactivated": null, "is_admin": true}),
            "deactivated",
        ),
    ] {
        let problem = patch(&app, &ada, &account, body).await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let bob_now = app.get(&ada, "/api/admin/users").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == bob.id.to_string())
        .cloned()
        .unwrap();
    assert_eq!(bob_now["is_admin"], false);
    assert_eq!(bob_now["deactivated"], false);

    let res = app
        .client
        .post(
            &format!("{project}/invitations"),
            &json!({"email": "carol@example.com", "role": null}),
            Some(&ada.cookie),
        )
        .await;
    let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(problem["errors"][0]["field"], "role");

    let res = app
        .create(&ada, json!({"title": "T", "status": null}))
        .await;
    let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(problem["errors"][0]["field"], "status");
    assert_eq!(app.count("SELECT COUNT(*) FROM tasks").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    // Left out, they still take their defaults.
    let task = app.task(&ada, title("T")).await;
    assert_eq!(task["status"], "todo");
}

#[tokio::test]
async fn a_method_no_route_takes_is_405_with_allow_and_only_handlers_meet_the_csrf_guard() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let task = app.task(&ada, title("T")).await;
    let id = task["id"].as_str().unwrap();
    let bare = |method: Method, path: &str| {
        // Without the CSRF header, as a generator (or another site) would send it.
        http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::COOKIE, &ada.cookie)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    for (method, path, allow) in [
        (Method::TRACE, "/api/openapi.json".to_owned(), "GET,HEAD"),
        (Method::PUT, "/api/openapi.json".to_owned(), "GET,HEAD"),
        (Method::POST, "/api/openapi.json".to_owned(), "GET,HEAD"),
        (
            Method::PUT,
            format!("/api/tasks/{id}"),
            "GET,HEAD,PATCH,DELETE",
        ),
        (Method::OPTIONS, "/api/tasks".to_owned(), "GET,HEAD,POST"),
    ] {
        let res = app.client.send(bare(method.clone(), &path)).await;
        res.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
        assert_eq!(res.header("allow"), allow, "{method} {path}");
    }
    app.client
        .send(bare(Method::POST, "/api/nowhere"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    // A request a handler takes still meets the guard first.
    for (method, path) in [
        (Method::POST, "/api/tasks".to_owned()),
        (Method::DELETE, format!("/api/tasks/{id}")),
        (Method::POST, "/api/projects".to_owned()),
    ] {
        app.client
            .send(bare(method, &path))
            .await
            .assert_problem(StatusCode::FORBIDDEN, "csrf");
    }
    assert_eq!(
        app.get(&ada, &format!("/api/tasks/{id}")).await.json()["version"],
        1
    );
}

#[tokio::test]
async fn any_cursor_of_the_documented_shape_starts_a_page() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let older = app.task(&ada, title("older")).await;
    let newer = app.task(&ada, title("newer")).await;
    // Every id sorts before the largest cursor and after the smallest.
    let all = app
        .get(&ada, "/api/tasks?cursor=_____________________w")
        .await;
    assert_eq!(
        json_ids(&all.json()["items"]),
        [newer["id"].as_str().unwrap(), older["id"].as_str().unwrap()]
    );
    let none = app
        .get(&ada, "/api/tasks?cursor=AAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(none.json()["items"], json!([]));
    // The cursor of a page names where the next one starts.
    let first = app.get(&ada, "/api/tasks?limit=1").await.json();
    let cursor = first["next_cursor"].as_str().unwrap();
    assert_eq!(cursor.len(), 22);
    let second = app
        .get(&ada, &format!("/api/tasks?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(
        json_ids(&second.json()["items"]),
        [older["id"].as_str().unwrap()]
    );
}
