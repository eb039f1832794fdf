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
    app.account("locked@example.com", "L").await;
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
    app.account("real@example.com", "R").await;
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
    app.account("victim@example.com", "V").await;
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
    app.account("later@example.com", "L").await;
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
    app.account("reset@example.com", "R").await;
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

/// The reproduced bypass: five failures lock `ada@…`, then another spelling of the same address
/// (case, spaces, full-width letters) got a fresh budget, and an accented one signed in as Ada,
/// because the counter was keyed on the address as typed while MariaDB compared accent- and
/// case-insensitively. Every spelling of one address now shares one budget, and an accented
/// address is refused as invalid (SES could never deliver to it), never taken for Ada's.
#[tokio::test]
async fn every_spelling_of_an_address_shares_one_budget() {
    // Room for every attempt from this one test client: only the account's budget is at stake.
    let app = TestApp::spawn_with(&[
        ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3"),
        ("LOGIN_MAX_FAILURES_PER_CLIENT", "50"),
    ])
    .await;
    app.account("ada@example.com", "Ada").await;
    for _ in 0..3 {
        app.login("ada@example.com", "wrong password")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let variants = [
        "ADA@Example.COM",
        "  ada@example.com  ",
        "\u{ff41}\u{ff44}\u{ff41}@example.com",
        "ada@\u{ff45}\u{ff58}\u{ff41}\u{ff4d}\u{ff50}\u{ff4c}\u{ff45}.com",
    ];
    for variant in variants {
        let res = app.login(variant, PASSWORD).await;
        assert_eq!(
            res.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{variant:?} shares the locked budget"
        );
    }
    let accented = app.login("\u{e1}d\u{e1}@example.com", PASSWORD).await;
    let problem = accented.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(problem["errors"][0]["field"], "email");
    assert!(
        accented.headers.get("set-cookie").is_none(),
        "an accented address is not Ada's"
    );
}

/// Counted before the password is checked: twenty wrong guesses at once verify at most the limit,
/// and the rest are refused without touching argon2.
#[tokio::test]
async fn parallel_guesses_verify_at_most_the_limit() {
    let app = TestApp::spawn_with(LIMITS).await;
    app.account("target@example.com", "T").await;
    let before = app.state.hasher().verifications();
    let guesses = (0..20).map(|n| {
        let app = &app;
        async move { app.login("target@example.com", &format!("guess {n}")).await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let verified = app.state.hasher().verifications() - before;
    let refused = answers
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let wrong = answers
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        verified <= 3,
        "{verified} passwords were checked; the limit is 3"
    );
    assert_eq!(
        (wrong, refused),
        (verified as usize, 20 - verified as usize)
    );
}

const ORIGIN_SECRET: &str = "test-origin-secret-0123456789abcdef0123";

/// Sign in as CloudFront forwards it: the origin secret, and the viewer's address in its header.
async fn login_through_the_site(
    app: &TestApp,
    viewer: &str,
    email: &str,
    password: &str,
) -> taskboard_testing::http::TestResponse {
    app.client
        .call(
            http::Method::POST,
            "/api/auth/login",
            Some(&serde_json::json!({"email": email, "password": password})),
            None,
            &[
                ("x-origin-verify", ORIGIN_SECRET),
                ("cloudfront-viewer-address", viewer),
            ],
        )
        .await
}

#[tokio::test]
async fn only_requests_through_the_site_are_answered_and_count_per_viewer() {
    let mut edge = LIMITS.to_vec();
    edge.extend([
        ("ORIGIN_VERIFY_SECRETS", ORIGIN_SECRET),
        ("CLIENT_IP_HEADER", "cloudfront-viewer-address"),
    ]);
    let app = TestApp::spawn_with(&edge).await;
    // Straight to the execute-api endpoint: refused before anything is read or counted, even
    // with a forged viewer address.
    app.get("/api/auth/me", None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let direct = app
        .client
        .call(
            http::Method::POST,
            "/api/auth/login",
            Some(&serde_json::json!({"email": "a@example.com", "password": "x"})),
            None,
            &[
                ("cloudfront-viewer-address", "192.0.2.1:443"),
                (
                    "x-origin-verify",
                    "a-guess-that-is-long-enough-to-be-a-secret",
                ),
            ],
        )
        .await;
    direct.assert_problem(StatusCode::FORBIDDEN, "forbidden");

    // Through the site, the viewer's address is the client the throttle counts.
    for i in 0..6 {
        let res = login_through_the_site(
            &app,
            "203.0.113.5:5000",
            &format!("s{i}@example.com"),
            "bad",
        )
        .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    login_through_the_site(&app, "203.0.113.5:5001", "s9@example.com", "bad")
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    let other = login_through_the_site(&app, "203.0.113.6:5000", "s9@example.com", "bad").await;
    assert_eq!(
        other.status,
        StatusCode::UNAUTHORIZED,
        "another viewer has its own budget"
    );
}

#[test]
fn a_client_address_header_without_the_origin_check_is_refused_at_start() {
    let env = |name: &str| match name {
        "CLIENT_IP_HEADER" => Some("cloudfront-viewer-address".to_owned()),
        "DATABASE_URL" => Some("mysql://x@127.0.0.1/x".to_owned()),
        "SITE_URL" => Some("http://127.0.0.1:3000".to_owned()),
        "SENDER_ADDRESS" => Some("a@example.com".to_owned()),
        n if n.ends_with("_TABLE") => Some("t".to_owned()),
        _ => None,
    };
    let err = taskboard_login::LoginConfig::from_env(&env).unwrap_err();
    assert!(err.to_string().contains("CLIENT_IP_HEADER"), "{err}");
}
