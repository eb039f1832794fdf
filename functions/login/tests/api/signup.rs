use http::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, SessionCookie, TestApp, unique_email};

#[tokio::test]
async fn signup_creates_the_user_and_signs_them_in() {
    let app = TestApp::spawn().await;
    let res = app.signup("  Ada@Example.COM ", "  Ada Lovelace ").await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.headers["location"], "/api/auth/me");
    let user = res.json();
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());

    let cookie = res.set_cookie();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http keeps the cookie usable locally"
    );

    let me = app.me(&res.session_cookie()).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["id"], user["id"]);
}

#[tokio::test]
async fn the_password_is_stored_as_an_argon2id_hash() {
    let app = TestApp::spawn().await;
    app.signup("hash@example.com", "H").await;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(!stored.contains(PASSWORD));
}

#[tokio::test]
async fn an_email_already_registered_is_a_conflict_in_any_case() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.signup("dup@example.com", "First").await.status,
        StatusCode::CREATED
    );
    let again = app.signup("DUP@example.com", "Second").await;
    again.assert_problem(StatusCode::CONFLICT, "email-taken");
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn every_invalid_field_is_reported_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/auth/signup",
            &json!({"email": "nope", "password": "short", "name": " "}),
            None,
        )
        .await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "name", "password"]);
    assert_eq!(app.user_count().await, 0);
    assert_eq!(app.session_count().await, 0);
}

#[tokio::test]
async fn common_and_overlong_passwords_are_refused() {
    let app = TestApp::spawn().await;
    for password in [
        "password1".to_owned(),
        "iloveyou".to_owned(),
        "x".repeat(129),
    ] {
        let res = app
            .post(
                "/api/auth/signup",
                &json!({"email": unique_email(), "password": password, "name": "N"}),
                None,
            )
            .await;
        let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(body["errors"][0]["field"], "password");
    }
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn closed_signup_refuses_and_stores_nothing() {
    let app = TestApp::spawn_with(&[("SIGNUP_ENABLED", "false")]).await;
    app.signup(&unique_email(), "N")
        .await
        .assert_problem(StatusCode::FORBIDDEN, "signup-closed");
    assert_eq!(app.user_count().await, 0);
}
