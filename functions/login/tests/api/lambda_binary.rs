//! The real `login` binary, driven through the Lambda Runtime API with the event files kept in
//! `functions/login/events/`: proves `main`'s wiring (configuration, clients, router, runtime).

use std::process::Stdio;

use serde_json::Value;
use taskboard_testing::runtime::{FakeRuntime, event_file};

use crate::helpers::{SITE, TestApp};

#[tokio::test]
async fn the_login_binary_signs_in_and_answers_me_through_the_runtime_api() {
    let app = TestApp::spawn().await;
    app.account("lambda@example.com", "Lambda Tester").await;
    let mut runtime = FakeRuntime::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_login"))
        .envs(runtime.lambda_env("login"))
        .envs(app.tables.env())
        .env("DATABASE_URL", &app.db.url)
        .env("SITE_URL", SITE)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the login binary");

    runtime
        .invoke(event_file(env!("CARGO_MANIFEST_DIR"), "login.json"))
        .await;
    let signup = runtime.response().await;
    assert_eq!(signup["statusCode"], 200, "{signup}");
    let user: Value = serde_json::from_str(signup["body"].as_str().unwrap()).unwrap();
    assert_eq!(user["email"], "lambda@example.com");
    let cookie = signup["cookies"][0]
        .as_str()
        .expect("Set-Cookie in the v2 cookies list");
    let pair = cookie.split(';').next().unwrap().to_owned();

    let mut me = event_file(env!("CARGO_MANIFEST_DIR"), "me.json");
    me["cookies"] = Value::Array(vec![Value::String(pair)]);
    runtime.invoke(me).await;
    let me = runtime.response().await;
    assert_eq!(me["statusCode"], 200, "{me}");
    let body: Value = serde_json::from_str(me["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["id"], user["id"]);

    child.kill().await.ok();
}

#[tokio::test]
async fn the_login_binary_refuses_to_start_with_bad_configuration() {
    let runtime = FakeRuntime::start().await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_login"))
        .envs(runtime.lambda_env("login"))
        .env_remove("DATABASE_URL")
        .env("SITE_URL", SITE)
        .env("SESSIONS_TABLE", "s")
        .env("LOGIN_ATTEMPTS_TABLE", "l")
        .output()
        .await
        .expect("run the login binary");
    assert!(!out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("DATABASE_URL"),
        "the message names the variable: {all}"
    );
}
