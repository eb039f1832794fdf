//! Several people changing tasks at once through the API, as the site would: create (assigned to
//! a teammate), move along the board, rename; each change sent with the version they last saw
//! (`If-Match`), a `412` answered by reading the task again, a `5xx` by trying again shortly.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::Rng;
use crate::system::System;

/// What the people saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct Answers {
    /// Changes the API confirmed (201 or 200).
    pub confirmed: usize,
    /// `503 unavailable` answers (each retried).
    pub unavailable: usize,
    /// Other `5xx` answers (each retried; a bug if any).
    pub failed: usize,
    /// `412`: someone else changed the task first; read again.
    pub conflicts: usize,
}

struct Shared {
    /// Tasks made so far: id, the latest version seen, its status then.
    tasks: Mutex<Vec<(String, u64, String)>>,
    confirmed: AtomicUsize,
}

/// Run until `changes` changes are confirmed, spread over every person.
pub async fn run(system: &System, changes: usize, seed: u64) -> Answers {
    let shared = Shared {
        tasks: Mutex::new(Vec::new()),
        confirmed: AtomicUsize::new(0),
    };
    let people = (0..system.people.len()).map(|me| {
        let shared = &shared;
        async move { person(system, shared, me, changes, seed ^ (me as u64 + 1)).await }
    });
    let mut total = Answers::default();
    for answers in futures_util::future::join_all(people).await {
        total.confirmed += answers.confirmed;
        total.unavailable += answers.unavailable;
        total.failed += answers.failed;
        total.conflicts += answers.conflicts;
    }
    total
}

async fn person(system: &System, shared: &Shared, me: usize, changes: usize, seed: u64) -> Answers {
    let mut rng = Rng::new(seed);
    let mut answers = Answers::default();
    let who = &system.people[me];
    let mut n = 0;
    while shared.confirmed.load(Ordering::SeqCst) < changes {
        n += 1;
        let known = shared.tasks.lock().map(|t| t.len()).unwrap_or(0);
        let pick = rng.unit();
        let (method, path, body, if_match) = if known < system.people.len() || pick < 0.35 {
            let teammate = &system.people[rng.below(system.people.len())];
            let body = json!({
                "title": format!("Soak {me}-{n}"),
                "project_id": system.project.to_string(),
                "assignee_id": teammate.id.to_string(),
            });
            (Method::POST, "/api/tasks".to_owned(), body, None)
        } else {
            let (id, version, status) = {
                let tasks = shared.tasks.lock().unwrap_or_else(|p| p.into_inner());
                tasks[rng.below(tasks.len())].clone()
            };
            // Always a real change: a move to another column, or a new title.
            let body = if pick < 0.75 {
                let others: Vec<&str> = ["todo", "in_progress", "done"]
                    .into_iter()
                    .filter(|s| *s != status)
                    .collect();
                json!({ "status": others[rng.below(others.len())] })
            } else {
                json!({ "title": format!("Soak {me}-{n} renamed") })
            };
            let path = format!("/api/tasks/{id}");
            (Method::PATCH, path, body, Some(format!("\"{version}\"")))
        };
        let extra: Vec<(&str, &str)> = if_match
            .as_deref()
            .map(|v| ("if-match", v))
            .into_iter()
            .collect();
        let response = system
            .api
            .call(
                method.clone(),
                &path,
                Some(&body),
                Some(&who.cookie),
                &extra,
            )
            .await;
        match response.status {
            StatusCode::CREATED | StatusCode::OK => {
                answers.confirmed += 1;
                shared.confirmed.fetch_add(1, Ordering::SeqCst);
                remember(shared, &response.json());
            }
            StatusCode::PRECONDITION_FAILED => {
                answers.conflicts += 1;
                refresh(system, shared, who, &path).await;
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                answers.unavailable += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            status if status.is_server_error() => {
                answers.failed += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            // Nothing else is expected of these requests; a bug must stop the soak, loudly.
            other => panic!("{method} {path}: unexpected {other}: {}", response.text()),
        }
    }
    answers
}

fn remember(shared: &Shared, task: &Value) {
    let (Some(id), Some(version), Some(status)) = (
        task["id"].as_str(),
        task["version"].as_u64(),
        task["status"].as_str(),
    ) else {
        return;
    };
    let mut tasks = shared.tasks.lock().unwrap_or_else(|p| p.into_inner());
    match tasks.iter_mut().find(|(known, ..)| known == id) {
        Some(entry) if entry.1 < version => {
            entry.1 = version;
            entry.2 = status.to_owned();
        }
        Some(_) => {}
        None => tasks.push((id.to_owned(), version, status.to_owned())),
    }
}

/// Read the task again after a `412` (a failure to read is retried by the next change).
async fn refresh(system: &System, shared: &Shared, who: &crate::system::Person, path: &str) {
    let response = system.api.get(path, Some(&who.cookie)).await;
    if response.status == StatusCode::OK {
        remember(shared, &response.json());
    }
}
