use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::helpers::{PASSWORD, SITE, TestApp};

fn raw(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header("x-requested-with", "taskboard")
        .header(header::ORIGIN, SITE)
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    for body in ["{", "{\"email\": }", "", "\u{0}"] {
        app.send(raw("/api/auth/signup", "application/json", body))
            .await
            .assert_problem(StatusCode::BAD_REQUEST, "malformed-json");
    }
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    let body = json!({"email": "a@example.com", "password": PASSWORD, "name": "A"}).to_string();
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        app.send(raw("/api/auth/signup", ct, body.clone()))
            .await
            .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    }
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn a_huge_body_is_413() {
    let app = TestApp::spawn().await;
    let huge = json!({"email": "a@example.com", "password": PASSWORD, "name": "x".repeat(200_000)})
        .to_string();
    app.send(raw("/api/auth/signup", "application/json", huge))
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn missing_extra_and_mistyped_fields_are_422() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"email": "a@example.com", "password": PASSWORD}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "name": "A", "admin": true}),
            "admin",
        ),
        (
            json!({"email": 42, "password": PASSWORD, "name": "A"}),
            "body",
        ),
        (json!(["a@example.com", PASSWORD, "A"]), "body"),
        (json!(null), "body"),
    ];
    for (body, field) in cases {
        let res = app.post("/api/auth/signup", &body, None).await;
        let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn huge_and_odd_email_addresses_are_422() {
    let app = TestApp::spawn().await;
    let long = format!("{}@example.com", "a".repeat(300));
    for email in [
        long.as_str(),
        "a@b",
        "a b@example.com",
        "a\u{0}@example.com",
        "<script>@x.com",
        "@@",
        "é@例え.jp",
    ] {
        let res = app
            .post(
                "/api/auth/signup",
                &json!({"email": email, "password": PASSWORD, "name": "A"}),
                None,
            )
            .await;
        let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(problem["errors"][0]["field"], "email");
        let login = app.login(email, PASSWORD).await;
        login.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    assert_eq!(app.user_count().await, 0);
    assert_eq!(app.session_count().await, 0);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problems() {
    let app = TestApp::spawn().await;
    app.get("/api/auth/nope", None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not-found");
    let res = app
        .send(
            Request::builder()
                .method(Method::PUT)
                .uri("/api/auth/me")
                .header("x-requested-with", "t")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    res.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
}

#[tokio::test]
async fn errors_never_leak_internal_detail() {
    let app = TestApp::spawn().await;
    // Break the database underneath the app: the answer is a generic 500, not the SQL error.
    sqlx::query("RENAME TABLE users TO users_gone")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let res = app.signup("broken@example.com", "B").await;
    let body = res.assert_problem(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    let text = body.to_string().to_lowercase();
    assert!(
        !text.contains("users") && !text.contains("sql") && !text.contains("table"),
        "{text}"
    );
    assert!(
        res.headers.get("x-request-id").is_some(),
        "the id to quote to support"
    );
}
