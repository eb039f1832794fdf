//! The OpenAPI document matches the code: every route documented, every documented route answering.

use std::collections::{BTreeSet, HashMap};

use http::{Method, StatusCode};
use serde_json::{Value, json};
use taskboard_login::{LoginConfig, LoginState};
use taskboard_testing::http::TestClient;

use crate::helpers::{SITE, TestApp, title};

fn documented() -> BTreeSet<(String, String)> {
    let doc: Value =
        serde_json::from_str(taskboard_tasks_api::OPENAPI).expect("openapi.json is JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let code: BTreeSet<(String, String)> = taskboard_login::routes::ROUTES
        .iter()
        .chain(taskboard_tasks_api::routes::ROUTES)
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented(), code);
}

#[tokio::test]
async fn every_documented_route_answers() {
    let app = TestApp::spawn().await;
    let mut env: HashMap<String, String> = app.tables.env().into_iter().collect();
    env.insert("DATABASE_URL".into(), app.db.url.clone());
    env.insert("SITE_URL".into(), SITE.into());
    let login_config = LoginConfig::from_env(&|n: &str| env.get(n).cloned()).unwrap();
    let login = TestClient::new(taskboard_login::router(
        LoginState::new(
            &login_config,
            app.db.pool.clone(),
            taskboard_login::Clients {
                dynamo: app.dynamo.clone().into(),
                ses: aws_sdk_sesv2::Client::new(&taskboard_testing::sdk_config().await).into(),
            },
        ),
        &login_config,
    ));
    let ada = app.owner("Ada").await;
    let leaver = app.member("Leaver").await;
    let task = app.task(&ada, title("Documented")).await;
    let task_id = task["id"].as_str().unwrap().to_owned();
    let project = app.project.to_string();
    let invited = app
        .client
        .post(
            &format!("/api/projects/{project}/invitations"),
            &json!({"email": "guest@example.com"}),
            Some(&ada.cookie),
        )
        .await;
    invited.assert_status(StatusCode::CREATED);
    let invitation = invited.json()["id"].as_str().unwrap().to_owned();
    let token = "A".repeat(43);

    // Reads first, then writes, deletions and sign-outs last.
    let rank = |m: &str, p: &str| match (m, p) {
        ("GET", _) => 0,
        ("POST", "/api/auth/signup") => 1,
        ("POST", p) if p.contains("logout") => 5,
        ("POST", _) => 2,
        ("PATCH", _) => 3,
        _ => 4,
    };
    let mut routes: Vec<_> = documented().into_iter().collect();
    routes.sort_by_key(|(m, p)| rank(m, p));
    for (method, path) in routes {
        let id = if path.starts_with("/api/projects/") {
            &project
        } else if path.starts_with("/api/admin/") {
            &leaver.id.to_string()
        } else {
            &task_id
        };
        let concrete = path
            .replace("{id}", id)
            .replace("{user_id}", &leaver.id.to_string())
            .replace("{invitation_id}", &invitation);
        let password = "correct horse battery staple";
        let body = match (method.as_str(), path.as_str()) {
            ("POST", "/api/auth/signup") => {
                Some(json!({"email": "doc@example.com", "password": password, "name": "Doc"}))
            }
            ("POST", "/api/auth/login") => {
                Some(json!({"email": "doc@example.com", "password": password}))
            }
            ("POST", "/api/auth/password/forgot") => Some(json!({"email": "doc@example.com"})),
            ("POST", "/api/auth/password/reset") => {
                Some(json!({"token": token, "password": password}))
            }
            ("POST", "/api/auth/password/change") => Some(
                json!({"current_password": "not it at all", "new_password": "a new long password"}),
            ),
            ("POST", p) if p == "/api/auth/verify" || p.starts_with("/api/invitations/") => {
                Some(json!({"token": token}))
            }
            ("POST", "/api/projects") => Some(json!({"name": "Documented"})),
            ("POST", "/api/projects/{id}/invitations") => {
                Some(json!({"email": "someone@example.com", "role": "member"}))
            }
            ("POST", "/api/tasks") => {
                Some(json!({"title": "Still documented", "project_id": project}))
            }
            ("PATCH", "/api/projects/{id}") => Some(json!({"name": "Renamed"})),
            ("PATCH", "/api/projects/{id}/members/{user_id}") => Some(json!({"role": "member"})),
            ("PATCH", "/api/admin/users/{id}") => Some(json!({"is_admin": true})),
            ("PATCH", _) => Some(json!({"title": "Still documented"})),
            _ => None,
        };
        // `logout` ends the leaver's session; `logout-all`, the very last call, ends Ada's.
        let cookie = if path == "/api/auth/logout" {
            &leaver.cookie
        } else {
            &ada.cookie
        };
        let client = if path.starts_with("/api/auth/") || path.starts_with("/api/invitations/") {
            &login
        } else {
            &app.client
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        // The documented, required `If-Match` on task changes.
        let headers: &[(&str, &str)] = if path == "/api/tasks/{id}" && method != Method::GET {
            &[("if-match", "*")]
        } else {
            &[]
        };
        let res = client
            .call(
                method.clone(),
                &concrete,
                body.as_ref(),
                Some(cookie),
                headers,
            )
            .await;
        // Routed and handled: a success, or the documented refusal for what this caller sent
        // (a made-up link is 400, sign-up under the `invite` policy and a non-administrator's
        // admin call are 403, so signing in as that address is 401, a wrong current password is
        // 422) — never "no such route".
        let expected = res.status.is_success()
            || matches!(res.status.as_u16(), 400 | 403 | 422)
            || (path == "/api/auth/login" && res.status == StatusCode::UNAUTHORIZED);
        assert!(
            expected,
            "{method} {path} answered {}: {}",
            res.status,
            res.text()
        );
    }
}
