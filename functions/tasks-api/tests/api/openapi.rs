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
        LoginState::new(&login_config, app.db.pool.clone(), app.dynamo.clone()),
        &login_config,
    ));
    let ada = app.member("Ada").await;
    let leaver = app.member("Leaver").await;
    let task = app.task(&ada, title("Documented")).await;
    let id = task["id"].as_str().unwrap();

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
        let concrete = path.replace("{id}", id);
        let body = match (method.as_str(), path.as_str()) {
            ("POST", "/api/auth/signup") => Some(
                json!({"email": "doc@example.com", "password": "correct horse battery staple", "name": "Doc"}),
            ),
            ("POST", "/api/auth/login") => Some(
                json!({"email": "doc@example.com", "password": "correct horse battery staple"}),
            ),
            ("POST", "/api/tasks") | ("PATCH", _) => Some(json!({"title": "Still documented"})),
            _ => None,
        };
        // `logout` ends the leaver's session; `logout-all`, the very last call, ends Ada's.
        let cookie = if path == "/api/auth/logout" {
            &leaver.cookie
        } else {
            &ada.cookie
        };
        let client = if path.starts_with("/api/auth/") {
            &login
        } else {
            &app.client
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let res = client
            .call(method.clone(), &concrete, body.as_ref(), Some(cookie), &[])
            .await;
        assert!(
            res.status.is_success(),
            "{method} {path} answered {}: {}",
            res.status,
            res.text()
        );
        assert_ne!(res.status, StatusCode::NOT_FOUND);
    }
}
