use axum::body::Body;
use http::{Request, StatusCode, header};
use serde_json::json;

use crate::helpers::{SITE, SessionCookie, TestApp, now};

#[tokio::test]
async fn me_without_a_session_is_401() {
    let app = TestApp::spawn().await;
    app.get("/api/auth/me", None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let forged = format!("taskboard_session={}", "A".repeat(43));
    app.me(&forged)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.me("taskboard_session=garbage")
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn logout_deletes_the_session_server_side() {
    let app = TestApp::spawn().await;
    let cookie = app.account("leave@example.com", "L").await.session_cookie();
    assert_eq!(app.session_count().await, 1);

    let res = app
        .post("/api/auth/logout", &json!({}), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(
        res.set_cookie().contains("Max-Age=0"),
        "the browser is told to forget it"
    );
    assert_eq!(app.session_count().await, 0);
    // The old cookie, replayed, no longer works.
    app.me(&cookie)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    // Logging out again is harmless.
    assert_eq!(
        app.post("/api/auth/logout", &json!({}), Some(&cookie))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn logout_everywhere_ends_every_session_of_the_user_only() {
    let app = TestApp::spawn().await;
    let a1 = app.account("many@example.com", "M").await.session_cookie();
    let a2 = app
        .login("many@example.com", crate::helpers::PASSWORD)
        .await
        .session_cookie();
    let other = app.account("other@example.com", "O").await.session_cookie();

    let res = app
        .post("/api/auth/logout-all", &json!({}), Some(&a1))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    app.me(&a1)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.me(&a2)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(app.me(&other).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::spawn().await;
    let cookie = app.account("idle@example.com", "I").await.session_cookie();
    app.edit_session(&cookie, &[("idle_expires_at", now() - 1)])
        .await;
    app.me(&cookie)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn a_session_expires_absolutely_even_when_used() {
    let app = TestApp::spawn().await;
    let cookie = app.account("abs@example.com", "A").await.session_cookie();
    // Recently active (idle expiry far away), but past its absolute lifetime.
    app.edit_session(
        &cookie,
        &[
            ("absolute_expires_at", now() - 1),
            ("idle_expires_at", now() + 3600),
        ],
    )
    .await;
    app.me(&cookie)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn use_extends_the_idle_expiry_but_never_past_the_absolute_one() {
    let app = TestApp::spawn_with(&[
        ("SESSION_IDLE_TIMEOUT_SECS", "600"),
        ("SESSION_ABSOLUTE_TIMEOUT_SECS", "3600"),
    ])
    .await;
    let cookie = app.account("slide@example.com", "S").await.session_cookie();
    // Last seen two minutes ago, idle expiry in 30 s, absolute expiry in 100 s.
    let t = now();
    app.edit_session(
        &cookie,
        &[
            ("last_seen_at", t - 120),
            ("idle_expires_at", t + 30),
            ("absolute_expires_at", t + 100),
        ],
    )
    .await;
    assert_eq!(app.me(&cookie).await.status, StatusCode::OK);
    let item = app
        .dynamo
        .scan()
        .table_name(app.tables.name(&taskboard_core::tables::SESSIONS))
        .send()
        .await
        .unwrap();
    let item = &item.items()[0];
    let n = |k: &str| item[k].as_n().unwrap().parse::<i64>().unwrap();
    assert_eq!(
        n("idle_expires_at"),
        t + 100,
        "capped at the absolute expiry"
    );
    assert_eq!(n("expires_at"), n("idle_expires_at"), "TTL follows");
    assert!(n("last_seen_at") >= t);
}

#[tokio::test]
async fn state_changing_requests_without_the_csrf_header_are_refused() {
    let app = TestApp::spawn().await;
    let cookie = app.account("csrf@example.com", "C").await.session_cookie();

    // A cross-site form post: simple content type, no custom header.
    let form = Request::post("/api/auth/logout")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    app.send(form)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "csrf");

    // The header present, but sent from another origin.
    let foreign = Request::post("/api/auth/logout")
        .header(header::COOKIE, &cookie)
        .header("x-requested-with", "taskboard")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .unwrap();
    app.send(foreign)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "csrf");

    // Login CSRF too: no session is created for a forged sign-in.
    let forged_login = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, SITE)
        .body(Body::from(
            r#"{"email":"csrf@example.com","password":"correct horse battery staple"}"#,
        ))
        .unwrap();
    app.send(forged_login)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "csrf");

    assert_eq!(app.session_count().await, 1);
    assert_eq!(
        app.me(&cookie).await.status,
        StatusCode::OK,
        "the session survived"
    );
}

#[tokio::test]
async fn https_sites_use_a_host_prefixed_secure_cookie() {
    let app = TestApp::spawn_with(&[("SITE_URL", "https://tasks.example.com")]).await;
    app.register_verified("tls@example.com", "T").await;
    let res = app
        .send(
            Request::post("/api/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-requested-with", "taskboard")
                .header(header::ORIGIN, "https://tasks.example.com")
                .body(Body::from(
                    json!({"email": "tls@example.com", "password": crate::helpers::PASSWORD})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let cookie = res.set_cookie();
    assert!(cookie.starts_with("__Host-taskboard_session="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"));
}
