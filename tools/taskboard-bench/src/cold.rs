//! Cold starts: process start → init done (first poll for an event) → first response, through a
//! Runtime API on loopback. Each function's first request is one that needs no network, so the
//! numbers show what the binary itself costs; beside them, a hello-world lambda_runtime function.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use taskboard_testing::runtime::{FakeRuntime, Outcome};

use crate::dataset::Dataset;
use crate::lambda_event;
use crate::report::ColdRow;

pub const RUNS: usize = 15;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

async fn once(
    binary: &str,
    name: &str,
    env: &std::collections::HashMap<String, String>,
    event: &Value,
) -> (f64, f64) {
    let mut runtime = FakeRuntime::start().await;
    runtime.invoke(event.clone()).await;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(crate::bin(binary))
        .envs(runtime.lambda_env(name))
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start {binary}: {e} (did `make bench` build it?)"));
    let outcome = runtime.outcome(Duration::from_secs(30)).await;
    let first_response = started.elapsed().as_secs_f64() * 1000.0;
    assert!(
        matches!(outcome, Some(Outcome::Response { .. })),
        "{binary} did not answer: {outcome:?}"
    );
    let init = runtime
        .first_poll()
        .map_or(first_response, |t| (t - started).as_secs_f64() * 1000.0);
    let _ = child.kill().await;
    (init, first_response)
}

/// The two floors: the stock hello-world (the budget's floor, measured first) and the same function
/// on a current-thread runtime, as the real functions run.
const HELLO: &str = "bench-hello";
const HELLO_CURRENT_THREAD: &str = "bench-hello-current-thread";

pub async fn run(data: &Dataset) -> Vec<ColdRow> {
    let env = data.env();
    let event_with_nobody_to_tell = {
        let path = "functions/log-notifier/events/task-status-changed.json";
        let mut e: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("notifier event"))
                .expect("json");
        e["detail"]["recipients"] = json!([]);
        e
    };
    // (row label, binary, function name, first event)
    let cases: [(&str, &str, &str, Value); 6] = [
        (HELLO, HELLO, "hello", json!({})),
        (
            HELLO_CURRENT_THREAD,
            HELLO_CURRENT_THREAD,
            "hello",
            json!({}),
        ),
        (
            "login (GET /api/auth/me, signed out)",
            "login",
            "login",
            lambda_event::http("GET", "/api/auth/me", None, None),
        ),
        (
            "tasks-api (GET /api/tasks, signed out)",
            "tasks-api",
            "tasks-api",
            lambda_event::http("GET", "/api/tasks", None, None),
        ),
        (
            "tasks-api (GET /api/openapi.json, 40 KB)",
            "tasks-api",
            "tasks-api",
            lambda_event::http("GET", "/api/openapi.json", None, None),
        ),
        (
            "log-notifier (an event nobody must hear about)",
            "log-notifier",
            "log-notifier",
            event_with_nobody_to_tell,
        ),
    ];
    let mut rows: Vec<ColdRow> = Vec::new();
    for (label, binary, name, event) in cases {
        // One warm-up run so every binary is in the page cache, as it is on a Lambda worker.
        once(binary, name, &env, &event).await;
        let mut inits = Vec::new();
        let mut firsts = Vec::new();
        for _ in 0..RUNS {
            let (init, first) = once(binary, name, &env, &event).await;
            inits.push(init);
            firsts.push(first);
        }
        let (init, first) = (median(inits), median(firsts));
        let floor_ms = rows.first().map_or(first, |r| r.first_response_ms);
        rows.push(ColdRow {
            function: label.to_owned(),
            init_ms: init,
            first_response_ms: first,
            floor_ms,
            ratio: first / floor_ms,
            current_thread_ratio: f64::NAN,
        });
    }
    let current_thread_floor = rows
        .iter()
        .find(|r| r.function == HELLO_CURRENT_THREAD)
        .map_or(f64::NAN, |r| r.first_response_ms);
    for row in &mut rows {
        row.current_thread_ratio = row.first_response_ms / current_thread_floor;
    }
    rows
}
