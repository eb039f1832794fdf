//! Administrators off-board and restore accounts: a deactivated account cannot sign in, its
//! sessions end, it gets no e-mail and no new work, its open tasks are unassigned as logged
//! changes, history still shows its name (marked deactivated), and reactivation restores it. And
//! a fresh deployment gets its first administrator by e-mail, with no SQL.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use taskboard_core::account_mail::AccountMailConfig;
use taskboard_domain::{EmailAddress, SiteUrl, UserId};
use taskboard_login::password::{NewPassword, PasswordHasher};
use taskboard_mysql::invitations::InvitationStore;
use taskboard_mysql::users::UserStore;
use taskboard_tasks_api::first_admin;
use taskboard_testing::mailbox::{link_token, wait_for};

use crate::helpers::{Member, SITE, TestApp, title};

async fn make_admin(app: &TestApp, who: &Member) {
    sqlx::query("UPDATE users SET is_admin = TRUE WHERE id = ?")
        .bind(who.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn set_password(app: &TestApp, who: UserId, password: &str) {
    let hash = PasswordHasher::new(1)
        .hash(&NewPassword::parse(password.to_owned()).unwrap())
        .await
        .unwrap();
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(who.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn patch_account(app: &TestApp, by: &Member, id: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .call(
            Method::PATCH,
            &format!("/api/admin/users/{id}"),
            Some(&body),
            Some(&by.cookie),
            &[],
        )
        .await;
    (r.status, r.json())
}

#[tokio::test]
async fn an_administrator_deactivates_and_reactivates_an_account() {
    let app = TestApp::spawn().await;
    let ada = app.owner("Ada").await;
    make_admin(&app, &ada).await;
    let bob = app.member("Bob").await;
    let password = "correct horse battery staple 42";
    set_password(&app, bob.id, password).await;
    let login = app.login_client().await;
    let sign_in = json!({"email": bob.email, "password": password});
    assert_eq!(
        login.post("/api/auth/login", &sign_in, None).await.status,
        StatusCode::OK
    );

    // Bob's own task, and one of Ada's assigned to him.
    let his = app.task(&bob, title("Bob's own")).await;
    let mut body = title("For Bob");
    body["assignee_id"] = json!(bob.id.to_string());
    let assigned = app.task(&ada, body).await;
    let assigned_id = assigned["id"].as_str().unwrap().to_owned();
    let b = bob.id.to_string();

    // Only administrators manage accounts.
    let r = app.get(&bob, "/api/admin/users").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (status, _) = patch_account(&app, &bob, &b, json!({"deactivated": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let listed = app.get(&ada, "/api/admin/users").await.json();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == json!(b))
    );
    // Bad requests are clear and change nothing.
    let (status, _) = patch_account(&app, &ada, &b, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = patch_account(
        &app,
        &ada,
        &UserId::new().to_string(),
        json!({"deactivated": true}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = patch_account(
        &app,
        &ada,
        &ada.id.to_string(),
        json!({"deactivated": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    app.delivered().await; // what came before: the creations
    let (status, account) = patch_account(&app, &ada, &b, json!({"deactivated": true})).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["deactivated"], json!(true));

    // Signed out everywhere, and cannot sign in again.
    let r = app
        .get(&bob, &format!("/api/tasks?project={}", app.project))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = login.post("/api/auth/login", &sign_in, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.json());

    // The open task assigned to him is unassigned, as a change the creator hears about.
    let task = app
        .get(&ada, &format!("/api/tasks/{assigned_id}"))
        .await
        .json();
    assert_eq!(task["assignee"], Value::Null, "{task}");
    let delivered = app.delivered().await;
    let unassigned = delivered
        .iter()
        .find(|e| {
            e["detail"]["task"]["id"] == json!(assigned_id) && e["detail-type"] == "Task Assigned"
        })
        .expect("the unassignment was published");
    let recipients = unassigned["detail"]["recipients"].to_string();
    assert!(
        !recipients.contains(&bob.email),
        "no mail to a deactivated account"
    );

    // No new work for him: he is no longer someone a task can be assigned to.
    let mut body = title("Too late");
    body["assignee_id"] = json!(b);
    assert_eq!(
        app.create(&ada, body).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let people = app.get(&ada, "/api/users").await.json();
    let bob_row = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(b))
        .cloned();
    assert!(bob_row.is_none_or(|p| p["deactivated"] == json!(true)));

    // History still shows his name, marked deactivated.
    let his_id = his["id"].as_str().unwrap();
    let history = app
        .get(&ada, &format!("/api/tasks/{his_id}/history"))
        .await
        .json();
    let first = &history["items"][0]["actor"];
    assert_eq!(first["name"], json!("Bob"), "{history}");
    assert_eq!(first["deactivated"], json!(true), "{history}");

    // Reactivation restores sign-in and the project; the unassignment stays (it was a change).
    let (status, account) = patch_account(&app, &ada, &b, json!({"deactivated": false})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(account["deactivated"], json!(false));
    assert_eq!(
        login.post("/api/auth/login", &sign_in, None).await.status,
        StatusCode::OK
    );
    let back = Member {
        cookie: app.session_for(bob.id).await,
        ..bob
    };
    let r = app.get(&back, &format!("/api/tasks/{his_id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let history = app
        .get(&ada, &format!("/api/tasks/{his_id}/history"))
        .await
        .json();
    assert_eq!(history["items"][0]["actor"].get("deactivated"), None);
}

/// The deploy's migrate step, given `INITIAL_ADMIN_EMAIL`, as `bin/migrate.rs` runs it.
async fn invite_first_admin(app: &TestApp, email: &str) -> bool {
    let env: std::collections::HashMap<String, String> = app.tables.env().into_iter().collect();
    let config = AccountMailConfig::from_env(&|n: &str| env.get(n).cloned()).unwrap();
    let sdk = taskboard_testing::sdk_config().await;
    let mailer = config.mailer(
        SiteUrl::parse(SITE).unwrap(),
        aws_sdk_sesv2::Client::new(&sdk).into(),
        app.dynamo.clone().into(),
    );
    first_admin::invite_first_admin(
        &UserStore::new(app.db.pool.clone()),
        &InvitationStore::new(app.db.pool.clone()),
        &mailer,
        &EmailAddress::parse(email).unwrap(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_fresh_deployment_mails_its_first_administrator_an_invitation() {
    let app = TestApp::spawn().await;
    let login = app.login_client().await;
    let address = format!(
        "founder-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    assert!(invite_first_admin(&app, &address).await);
    assert!(
        !invite_first_admin(&app, &address).await,
        "not again while one is pending: every deploy runs this"
    );
    let token = link_token(
        &wait_for(&address, "You are invited to Taskboard")
            .await
            .body,
        "invite",
    );
    let shown = login
        .post("/api/invitations/preview", &json!({"token": token}), None)
        .await
        .json();
    assert_eq!(
        (&shown["project"], &shown["invited_by"]),
        (&Value::Null, &Value::Null)
    );
    let password = "the founder's long passphrase";
    login
        .post(
            "/api/invitations/accept",
            &json!({"token": token, "name": "Founder", "password": password}),
            None,
        )
        .await
        .assert_status(StatusCode::ACCEPTED);
    let me = login
        .post(
            "/api/auth/login",
            &json!({"email": address, "password": password}),
            None,
        )
        .await;
    me.assert_status(StatusCode::OK);
    assert_eq!(me.json()["is_admin"], json!(true));
    assert!(
        !invite_first_admin(&app, &address).await,
        "there is an administrator now"
    );

    // With every administrator deactivated, the next deploy invites again.
    sqlx::query("UPDATE users SET deactivated_at = UTC_TIMESTAMP(6)")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert!(invite_first_admin(&app, &address).await);
}

#[tokio::test]
async fn an_invitation_ses_would_not_send_is_taken_back_and_sent_on_the_next_run() {
    let app = TestApp::spawn().await;
    let address = format!(
        "founder-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    // SES unreachable (or refusing: the sender not verified yet, as on a first deploy).
    let env: std::collections::HashMap<String, String> = app.tables.env().into_iter().collect();
    let config = AccountMailConfig::from_env(&|n: &str| env.get(n).cloned()).unwrap();
    let down = taskboard_testing::unreachable_sdk_config().await;
    let failing = config.mailer(
        SiteUrl::parse(SITE).unwrap(),
        aws_sdk_sesv2::Client::new(&down).into(),
        app.dynamo.clone().into(),
    );
    let err = first_admin::invite_first_admin(
        &UserStore::new(app.db.pool.clone()),
        &InvitationStore::new(app.db.pool.clone()),
        &failing,
        &EmailAddress::parse(&address).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, first_admin::FirstAdminError::Mail(_)),
        "{err}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations").await,
        0,
        "no pending invitation nobody received"
    );
    // The next deploy's run sends it.
    assert!(invite_first_admin(&app, &address).await);
    wait_for(&address, "You are invited to Taskboard").await;
}
