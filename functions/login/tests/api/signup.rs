//! Sign-up under each policy: nothing proves an address until its verification link is followed,
//! and no answer tells whether an address already has an account.

use http::StatusCode;
use serde_json::json;

use taskboard_testing::mailbox::{link_token, wait_for};

use crate::helpers::{PASSWORD, SessionCookie, TestApp, unique_email};

#[tokio::test]
async fn open_signup_mails_a_link_and_signs_in_only_once_it_is_followed() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let res = app
        .signup(&format!("  {} ", email.to_uppercase()), "  Ada Lovelace ")
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED);
    assert_eq!(res.json(), json!({"status": "check-your-mail"}));
    assert!(
        res.headers.get("set-cookie").is_none(),
        "no session before verification"
    );

    // The right password, but the address is not proven yet.
    app.login(&email, PASSWORD)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "email-unverified");

    let mail = wait_for(&email, "Confirm your e-mail address").await;
    let token = link_token(&mail.body, "verify");
    let verified = app
        .post("/api/auth/verify", &json!({"token": token}), None)
        .await;
    assert_eq!(verified.status, StatusCode::NO_CONTENT);
    // Single use.
    app.post("/api/auth/verify", &json!({"token": token}), None)
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-token");

    let signed_in = app.login(&email, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    let user = signed_in.json();
    assert_eq!(user["email"], email);
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["is_admin"], false);
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());
    let cookie = signed_in.set_cookie();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert_eq!(
        app.me(&signed_in.session_cookie()).await.status,
        StatusCode::OK
    );
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
async fn signing_up_with_a_taken_address_answers_alike_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    app.account(&email, "First").await;
    let new = app.signup(&unique_email(), "Someone").await;
    let again = app.signup(&email.to_uppercase(), "Second").await;
    assert_eq!(again.status, new.status);
    assert_eq!(again.body, new.body, "identical answers");
    assert_eq!(app.user_count().await, 2);
    // The owner hears about it; their account is untouched.
    let note = wait_for(&email, "Sign-up attempt").await;
    assert!(!note.body.contains("#verify="));
    assert_eq!(app.login(&email, PASSWORD).await.status, StatusCode::OK);
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE email = ?")
        .bind(&email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(name, "First");
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
async fn invite_only_refuses_and_stores_nothing() {
    let app = TestApp::spawn_with(&[("SIGNUP_POLICY", "invite")]).await;
    app.signup(&unique_email(), "N")
        .await
        .assert_problem(StatusCode::FORBIDDEN, "signup-closed");
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn a_domain_policy_admits_its_domains_only() {
    let app = TestApp::spawn_with(&[("SIGNUP_POLICY", "domains:corp.example,example.org")]).await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    for outsider in [
        format!("eve-{id}@evil.example"),
        format!("eve-{id}@corp.example.evil"),
        format!("eve-{id}@notcorp.example"),
    ] {
        app.signup(&outsider, "Eve")
            .await
            .assert_problem(StatusCode::FORBIDDEN, "signup-domain");
    }
    assert_eq!(app.user_count().await, 0);
    let insider = format!("ada-{id}@Corp.Example");
    assert_eq!(
        app.signup(&insider, "Ada").await.status,
        StatusCode::ACCEPTED
    );
    wait_for(&insider.to_lowercase(), "Confirm your e-mail address").await;
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn verification_mail_is_capped_per_address() {
    let app = TestApp::spawn_with(&[("ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR", "2")]).await;
    let email = unique_email();
    for _ in 0..2 {
        assert_eq!(app.signup(&email, "N").await.status, StatusCode::ACCEPTED);
    }
    let res = app.signup(&email, "N").await;
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    assert!(res.headers.get("retry-after").is_some());
}
