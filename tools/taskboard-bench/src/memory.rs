//! Release binary sizes, and each function's peak resident memory (VmHWM) after serving a load
//! through the Runtime API: sign-ins for login (argon2id holds 19 MiB per hash), pages of 50 tasks
//! for tasks-api, events for the notifier.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use taskboard_testing::runtime::{FakeRuntime, Outcome};

use crate::dataset::{self, Dataset};
use crate::lambda_event;
use crate::report::{MemoryRow, SizeRow};

pub const FUNCTIONS: [&str; 5] = ["login", "tasks-api", "relay", "migrate", "log-notifier"];

pub fn sizes() -> Vec<SizeRow> {
    FUNCTIONS
        .iter()
        .map(|f| SizeRow {
            function: (*f).to_owned(),
            bytes: std::fs::metadata(crate::bin(f))
                .map(|m| m.len())
                .unwrap_or(0),
        })
        .collect()
}

fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn drive(binary: &str, data: &Dataset, events: Vec<Value>) -> (u64, usize) {
    let mut runtime = FakeRuntime::start().await;
    let mut child = tokio::process::Command::new(crate::bin(binary))
        .envs(runtime.lambda_env(binary))
        .envs(data.env())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start function");
    let pid = child.id().unwrap_or(0);
    let total = events.len();
    let mut answered = 0;
    for event in events {
        runtime.invoke(event).await;
        if let Some(Outcome::Response { .. }) = runtime.outcome(Duration::from_secs(30)).await {
            answered += 1;
        }
    }
    let peak = vm_hwm_kib(pid);
    let _ = child.kill().await;
    assert_eq!(answered, total, "{binary} answered every request");
    (peak, total)
}

pub async fn peak(data: &Dataset) -> Vec<MemoryRow> {
    let login_body = json!({ "email": data.users[1].1, "password": dataset::PASSWORD });
    let login: Vec<Value> = (0..20)
        .map(|_| lambda_event::http("POST", "/api/auth/login", None, Some(&login_body)))
        .chain((0..50).map(|_| lambda_event::http("GET", "/api/auth/me", Some(&data.cookie), None)))
        .collect();
    let tasks: Vec<Value> = (0..200)
        .map(|_| {
            let path = format!("/api/tasks?project={}&limit=50", data.project);
            lambda_event::http("GET", &path, Some(&data.cookie), None)
        })
        .collect();
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string("functions/log-notifier/events/task-status-changed.json")
            .expect("event"),
    )
    .expect("json");
    let notifier: Vec<Value> = (0..100)
        .map(|_| {
            let mut e = template.clone();
            e["detail"]["event_id"] = json!(uuid::Uuid::new_v4().to_string());
            e
        })
        .collect();
    let mut rows = Vec::new();
    for (binary, events, what) in [
        ("login", login, "20 sign-ins + 50 me"),
        ("tasks-api", tasks, "200 pages of 50 tasks"),
        ("log-notifier", notifier, "100 events, 1 e-mail each"),
    ] {
        let (kib, requests) = drive(binary, data, events).await;
        rows.push(MemoryRow {
            function: binary.to_owned(),
            load: format!("{what} ({requests} invocations)"),
            peak_mib: kib as f64 / 1024.0,
        });
    }
    rows
}
