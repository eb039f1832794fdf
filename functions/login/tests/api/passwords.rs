//! Forgot, reset and change password, as the mailbox and the sessions show them.

use http::StatusCode;
use serde_json::json;
use taskboard_testing::mailbox::{link_token, wait_for};

use crate::helpers::{PASSWORD, SessionCookie, TestApp, unique_email};

const NEW: &str = "an entirely new passphrase";

#[tokio::test]
async fn a_reset_link_from_the_mailbox_ends_both_open_sessions_and_lifts_the_lockout() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let laptop = app.account(&email, "Ada").await.session_cookie();
    let phone = app.login(&email, PASSWORD).await.session_cookie();
    // Someone guesses until the account is locked.
    for _ in 0..6 {
        app.login(&email, "not the password").await;
    }
    app.login(&email, PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");

    // The same answer for an address with no account.
    let known = app
        .post("/api/auth/password/forgot", &json!({"email": email}), None)
        .await;
    let unknown = app
        .post(
            "/api/auth/password/forgot",
            &json!({"email": unique_email()}),
            None,
        )
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));

    let mail = wait_for(&email, "Reset your Taskboard password").await;
    let token = link_token(&mail.body, "reset");
    let reset = app
        .post(
            "/api/auth/password/reset",
            &json!({"token": token, "password": NEW}),
            None,
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    for cookie in [&laptop, &phone] {
        assert_eq!(app.me(cookie).await.status, StatusCode::UNAUTHORIZED);
    }
    wait_for(&email, "password was changed").await;
    // Single use; the old password is gone; the lock-out is lifted for the new one.
    app.post(
        "/api/auth/password/reset",
        &json!({"token": token, "password": NEW}),
        None,
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "invalid-token");
    app.login(&email, PASSWORD)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid-credentials");
    assert_eq!(app.login(&email, NEW).await.status, StatusCode::OK);
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let here = app.account(&email, "Ada").await.session_cookie();
    let elsewhere = app.login(&email, PASSWORD).await.session_cookie();

    let wrong = app
        .post(
            "/api/auth/password/change",
            &json!({"current_password": "not my password", "new_password": NEW}),
            Some(&here),
        )
        .await;
    let body = wrong.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(body["errors"][0]["field"], "current_password");
    assert_eq!(
        app.me(&elsewhere).await.status,
        StatusCode::OK,
        "nothing changed"
    );

    let changed = app
        .post(
            "/api/auth/password/change",
            &json!({"current_password": PASSWORD, "new_password": NEW}),
            Some(&here),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT);
    assert_eq!(app.me(&here).await.status, StatusCode::OK);
    assert_eq!(app.me(&elsewhere).await.status, StatusCode::UNAUTHORIZED);
    wait_for(&email, "password was changed").await;
    assert_eq!(app.login(&email, NEW).await.status, StatusCode::OK);
}
