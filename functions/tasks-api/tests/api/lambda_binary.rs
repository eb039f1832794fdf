//! The real `tasks-api` and `relay` binaries, driven through the Lambda Runtime API with the
//! event files in `functions/tasks-api/events/`.

use std::process::Stdio;

use serde_json::Value;
use taskboard_testing::runtime::{FakeRuntime, event_file};

use crate::helpers::{SITE, TestApp, title};

fn spawn(binary: &str, app: &TestApp, runtime: &FakeRuntime, name: &str) -> tokio::process::Child {
    tokio::process::Command::new(binary)
        .envs(runtime.lambda_env(name))
        .envs(app.tables.env())
        .env("DATABASE_URL", &app.db.url)
        .env("SITE_URL", SITE)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the binary")
}

#[tokio::test]
async fn the_tasks_api_binary_creates_and_lists_through_the_runtime_api() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let mut runtime = FakeRuntime::start().await;
    let mut child = spawn(env!("CARGO_BIN_EXE_tasks-api"), &app, &runtime, "tasks-api");

    let mut create = event_file(env!("CARGO_MANIFEST_DIR"), "create-task.json");
    create["cookies"] = Value::Array(vec![Value::String(ada.cookie.clone())]);
    // The event file names a placeholder project; this test's project is made fresh.
    let body = create["body"]
        .as_str()
        .unwrap()
        .replace("PROJECT_ID", &app.project.to_string());
    create["body"] = Value::String(body);
    runtime.invoke(create).await;
    let created = runtime.response().await;
    assert_eq!(created["statusCode"], 201, "{created}");
    let task: Value = serde_json::from_str(created["body"].as_str().unwrap()).unwrap();
    assert_eq!(task["status"], "in_progress");
    assert_eq!(created["headers"]["etag"], "\"1\"");

    let mut list = event_file(env!("CARGO_MANIFEST_DIR"), "list-tasks.json");
    list["cookies"] = Value::Array(vec![Value::String(ada.cookie.clone())]);
    runtime.invoke(list).await;
    let listed = runtime.response().await;
    assert_eq!(listed["statusCode"], 200, "{listed}");
    let page: Value = serde_json::from_str(listed["body"].as_str().unwrap()).unwrap();
    assert_eq!(page["items"][0]["id"], task["id"]);
    child.kill().await.ok();
}

#[tokio::test]
async fn the_relay_binary_logs_what_was_left_behind_on_a_schedule_tick_and_the_stream_publishes_it()
{
    let app = TestApp::spawn_with_aws_down().await;
    let ada = app.member("Ada").await;
    app.task(&ada, title("Left behind")).await;
    app.task(&ada, title("Left behind too")).await;
    assert_eq!(app.unsent_outbox().await, 2);

    let mut runtime = FakeRuntime::start().await;
    let mut child = spawn(env!("CARGO_BIN_EXE_relay"), &app, &runtime, "relay");
    runtime
        .invoke(event_file(
            env!("CARGO_MANIFEST_DIR"),
            "relay-schedule.json",
        ))
        .await;
    let report = runtime.response().await;
    assert_eq!(report["logged"], 2, "{report}");
    assert_eq!(app.unsent_outbox().await, 0);
    assert_eq!(app.delivered().await.len(), 2);
    child.kill().await.ok();
}

/// The first deploy: the migration user does not exist yet, so the migrate function says so
/// (the workflow then bootstraps the users) instead of failing; once it can sign in, it applies
/// the migrations. A bootstrap with password sign-in is refused: it creates IAM users only.
#[tokio::test]
async fn the_migrate_binary_reports_missing_database_users_and_then_migrates() {
    let app = TestApp::spawn().await;
    let mut runtime = FakeRuntime::start().await;
    let server = taskboard_testing::server_url();
    let (_, host) = server
        .split_once('@')
        .expect("TEST_DATABASE_URL has a user");
    let nobody = format!("mysql://tb_nobody:nothing@{host}/{}", app.db.name);
    let migrate = |url: &str, runtime: &FakeRuntime| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
            .envs(runtime.lambda_env("migrate"))
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start the binary")
    };

    let mut child = migrate(&nobody, &runtime);
    runtime.invoke(serde_json::json!({})).await;
    let answer = runtime.response().await;
    assert_eq!(answer["database_users_missing"], true, "{answer}");
    assert_eq!(answer["migrations"], 0, "{answer}");
    runtime
        .invoke(serde_json::json!({"bootstrap": {"user": "root", "password": "x"}}))
        .await;
    let refused = runtime
        .outcome(std::time::Duration::from_secs(10))
        .await
        .expect("an answer");
    assert!(
        format!("{refused:?}").contains("DATABASE_AUTH=iam"),
        "{refused:?}"
    );
    child.kill().await.ok();

    let mut child = migrate(&app.db.url, &runtime);
    runtime.invoke(serde_json::json!({})).await;
    let answer = runtime.response().await;
    assert_eq!(answer["database_users_missing"], false, "{answer}");
    assert!(answer["latest_version"].as_i64().is_some(), "{answer}");
    child.kill().await.ok();
}
