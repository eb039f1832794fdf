use http::StatusCode;

use crate::helpers::{PASSWORD, SessionCookie, TestApp};

#[tokio::test]
async fn login_with_the_right_password_starts_a_new_session() {
    let app = TestApp::spawn().await;
    let signup = app.account("grace@example.com", "Grace").await;
    let res = app.login("GRACE@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["email"], "grace@example.com");
    let cookie = res.session_cookie();
    assert_ne!(
        cookie,
        signup.session_cookie(),
        "each sign-in gets a fresh token"
    );
    assert_eq!(app.me(&cookie).await.status, StatusCode::OK);
    assert_eq!(app.session_count().await, 2);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let app = TestApp::spawn().await;
    app.account("known@example.com", "K").await;

    let before = app.state.hasher().verifications();
    let wrong = app.login("known@example.com", "not the password").await;
    let after_wrong = app.state.hasher().verifications();
    let unknown = app.login("unknown@example.com", "not the password").await;
    let after_unknown = app.state.hasher().verifications();

    wrong.assert_problem(StatusCode::UNAUTHORIZED, "invalid-credentials");
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body, "identical bodies");
    assert_eq!(wrong.content_type(), unknown.content_type());
    assert!(
        wrong.headers.get("set-cookie").is_none() && unknown.headers.get("set-cookie").is_none()
    );
    // Same work on both paths: one argon2id verification each (a dummy hash for the unknown
    // address), so response time does not reveal which addresses are registered.
    assert_eq!(after_wrong - before, 1);
    assert_eq!(after_unknown - after_wrong, 1);
    assert_eq!(
        app.session_count().await,
        1,
        "failures never create sessions"
    );
}

#[tokio::test]
async fn an_empty_or_malformed_login_is_a_validation_error() {
    let app = TestApp::spawn().await;
    let res = app.login("not-an-email", "").await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}
