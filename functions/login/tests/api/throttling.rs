use http::StatusCode;

use crate::helpers::{PASSWORD, TestApp, now};

const LIMITS: &[(&str, &str)] = &[
    ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3"),
    ("LOGIN_MAX_FAILURES_PER_CLIENT", "6"),
    ("LOGIN_THROTTLE_WINDOW_SECS", "900"),
];

#[tokio::test]
async fn too_many_failures_lock_the_account_with_retry_after() {
    let app = TestApp::spawn_with(LIMITS).await;
    app.signup("locked@example.com", "L").await;
    for _ in 0..3 {
        assert_eq!(
            app.login("locked@example.com", "wrong password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let res = app.login("locked@example.com", PASSWORD).await;
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    let retry: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    assert!(
        res.headers.get("set-cookie").is_none(),
        "even the right password is refused while locked"
    );
}

#[tokio::test]
async fn unknown_addresses_are_throttled_exactly_like_real_ones() {
    let app = TestApp::spawn_with(LIMITS).await;
    app.signup("real@example.com", "R").await;
    for _ in 0..3 {
        app.login("real@example.com", "wrong password").await;
        app.login("ghost@example.com", "wrong password").await;
    }
    let real = app.login("real@example.com", "wrong password").await;
    let ghost = app.login("ghost@example.com", "wrong password").await;
    assert_eq!(real.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(real.status, ghost.status);
    // The same answer; only the seconds left in each window may differ (by the clock tick
    // between the two windows' starts), and that says nothing about the account.
    let (mut real, mut ghost) = (real.json(), ghost.json());
    let (r, g) = (real["retry_after"].take(), ghost["retry_after"].take());
    assert_eq!(real, ghost);
    assert!(
        r.as_u64().unwrap().abs_diff(g.as_u64().unwrap()) <= 2,
        "{r} vs {g}"
    );
}

#[tokio::test]
async fn one_client_guessing_many_accounts_is_throttled() {
    let mut app = TestApp::spawn_with(LIMITS).await;
    app.signup("victim@example.com", "V").await;
    for i in 0..6 {
        let res = app
            .login(&format!("spray{i}@example.com"), "wrong password")
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = app.login("victim@example.com", PASSWORD).await;
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    // Another client is not affected.
    app.client.client_ip = "203.0.113.99".into();
    assert_eq!(
        app.login("victim@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_lock_lifts_when_the_window_ends() {
    let app = TestApp::spawn_with(LIMITS).await;
    app.signup("later@example.com", "L").await;
    for _ in 0..3 {
        app.login("later@example.com", "wrong password").await;
    }
    assert_eq!(
        app.login("later@example.com", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Move the window into the past (the emulator never deletes expired TTL items).
    app.dynamo
        .update_item()
        .table_name(app.tables.name(&taskboard_core::tables::LOGIN_ATTEMPTS))
        .key(
            "throttle_key",
            aws_sdk_dynamodb::types::AttributeValue::S("account#later@example.com".into()),
        )
        .update_expression("SET expires_at = :past")
        .expression_attribute_values(
            ":past",
            aws_sdk_dynamodb::types::AttributeValue::N((now() - 1).to_string()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        app.login("later@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_successful_sign_in_resets_the_account_counter() {
    let app = TestApp::spawn_with(LIMITS).await;
    app.signup("reset@example.com", "R").await;
    for _ in 0..2 {
        app.login("reset@example.com", "wrong password").await;
    }
    assert_eq!(
        app.login("reset@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_eq!(
            app.login("reset@example.com", "wrong password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login("reset@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}
