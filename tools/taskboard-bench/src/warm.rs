//! Warm requests through the dev server (wrk), beside the floor: the same SQL the handler runs
//! (the handler's own store calls), directly through sqlx, at the same concurrency.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use taskboard_domain::{TaskId, TaskStatus, TaskTitle};
use taskboard_tasks_api::decide;
use taskboard_tasks_api::request::{ListFilter, ListQuery, NewTask, Precondition, TaskPatch};
use taskboard_tasks_api::store::TaskStore;

use crate::dataset::{self, Dataset};
use crate::report::{LoginRow, NotifierRow, WarmRow};

const SECS: u64 = 5;
const ADDR: &str = "127.0.0.1:3300";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    List,
    Read,
    Create,
    Status,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::List => "list 50 tasks",
            Op::Read => "read one task",
            Op::Create => "create a task",
            Op::Status => "change a status",
        }
    }
}

struct Stats {
    /// Requests completed in the window.
    requests: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The wrk script for `op`. Status changes walk `status_ids` (fresh to-do tasks): each wrk thread
/// takes every other task, and each visit moves a task one step along the board
/// ([`dataset::status_for_visit`]), so every request is a change and no two threads share a task.
fn lua(data: &Dataset, op: Op, status_ids: &[TaskId]) -> String {
    let common = format!("wrk.headers[\"Cookie\"] = \"{}\"\n", data.cookie);
    match op {
        Op::List | Op::Read => common,
        Op::Create => format!(
            "{common}wrk.method = \"POST\"\nwrk.body = '{{\"title\":\"Created by the benchmark\",\"project_id\":\"{}\"}}'\n\
             wrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"X-Requested-With\"] = \"bench\"\n",
            data.project
        ),
        Op::Status => {
            let ids = status_ids
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(",");
            let statuses = (0..3)
                .map(|v| format!("\"{}\"", dataset::status_for_visit(v).as_str()))
                .collect::<Vec<_>>()
                .join(",");
            format!(
                "local ids = {{{ids}}}\nlocal statuses = {{{statuses}}}\nlocal half = #ids / 2\n\
                 local threads = 0\nfunction setup(thread)\n  thread:set(\"tid\", threads)\n  threads = threads + 1\nend\n\
                 tid = 0\nm = 0\n\
                 request = function()\n  local k = (m % half) * 2 + tid + 1\n  local visit = math.floor(m / half)\n  m = m + 1\n\
                   local body = '{{\"status\":\"' .. statuses[(visit % 3) + 1] .. '\"}}'\n\
                   return wrk.format(\"PATCH\", \"/api/tasks/\" .. ids[k], \
                 {{[\"Content-Type\"]=\"application/json\", [\"X-Requested-With\"]=\"bench\", [\"If-Match\"]=\"*\", [\"Cookie\"]=\"{}\"}}, body)\nend\n",
                data.cookie
            )
        }
    }
}

fn parse_duration_ms(text: &str) -> f64 {
    let (num, unit): (String, String) = text.chars().partition(|c| c.is_ascii_digit() || *c == '.');
    let n: f64 = num.parse().unwrap_or(f64::NAN);
    match unit.as_str() {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

async fn wrk(url: &str, script: &Path, connections: usize) -> Stats {
    let threads = connections.min(2);
    let out = tokio::process::Command::new("wrk")
        .args([
            "--latency",
            "-d",
            &format!("{SECS}s"),
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
            "-s",
        ])
        .arg(script)
        .arg(url)
        .output()
        .await
        .expect("run wrk (scripts/bench.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("Non-2xx"),
        "wrk saw error responses for {url}:\n{text}"
    );
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    Stats {
        // "  1234 requests in 5.00s, 1.2MB read"
        requests: text
            .lines()
            .find(|l| l.contains(" requests in "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        rps: text
            .lines()
            .find(|l| l.starts_with("Requests/sec:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN),
        p50_ms: parse_duration_ms(&field("50%")),
        p99_ms: parse_duration_ms(&field("99%")),
    }
}

/// Run `call(n)` from `concurrency` workers for the measuring window; latency of each call.
async fn measure<F, Fut>(concurrency: usize, call: F) -> Stats
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let deadline = Instant::now() + Duration::from_secs(SECS);
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let call = call.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut n = worker;
            while Instant::now() < deadline {
                n += concurrency;
                let t = Instant::now();
                call(n).await;
                mine.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("bench worker"));
    }
    all.sort_by(f64::total_cmp);
    Stats {
        requests: all.len() as u64,
        rps: all.len() as f64 / SECS as f64,
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
    }
}

async fn floor(data: &Dataset, op: Op, concurrency: usize) -> Stats {
    let pool = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(concurrency as u32)
        .connect(&data.db.url)
        .await
        .expect("floor pool");
    let store = TaskStore::new(pool.clone());
    let me = data.users[0].0;
    let project = data.project;
    // The board's query: one project's newest 50, membership checked in the same SQL.
    let list = ListQuery {
        project: Some(project),
        filter: ListFilter::default(),
        after: None,
        limit: 50,
    };
    let ids = Arc::new(data.task_ids.clone());
    // Worker `w` of `concurrency` only ever gets `n ≡ w`: with `STATUS_TASKS` a multiple of the
    // concurrency, task `n % STATUS_TASKS` is its alone, and `n / STATUS_TASKS` counts its visits.
    let moving: Arc<Vec<TaskId>> = Arc::new(if op == Op::Status {
        data.fresh_todo_tasks().await
    } else {
        Vec::new()
    });
    measure(concurrency, move |n| {
        let (store, ids, moving, pool, list) = (
            store.clone(),
            ids.clone(),
            moving.clone(),
            pool.clone(),
            list.clone(),
        );
        async move {
            match op {
                Op::List => drop(store.list(me, &list).await.expect("list")),
                Op::Read => drop(store.get(me, ids[n % ids.len()]).await.expect("get")),
                Op::Create => {
                    let new = NewTask {
                        project,
                        title: TaskTitle::parse("Created by the benchmark").expect("title"),
                        description: None,
                        status: TaskStatus::Todo,
                        assignee: None,
                        due_date: None,
                    };
                    let written = store
                        .create(me, project, None, |seen, stamp| {
                            decide::create(seen, &new, stamp)
                        })
                        .await
                        .expect("create");
                    relay_sql(&pool, written.appended.map(|a| a.seq)).await;
                }
                Op::Status => {
                    let patch = TaskPatch {
                        status: Some(dataset::status_for_visit(n / moving.len())),
                        ..TaskPatch::default()
                    };
                    let id = moving[n % moving.len()];
                    let written = store
                        .edit(id, me, None, |seen, stamp| {
                            decide::edit(seen, me, &patch, &Precondition::None, stamp)
                        })
                        .await
                        .expect("update");
                    let seq = written.appended.map(|a| a.seq);
                    assert!(seq.is_some(), "every status request is a change");
                    relay_sql(&pool, seq).await;
                }
            }
        }
    })
    .await
}

/// The inline relay's own SQL for a write's outbox row (claim it with a lease, mark it sent),
/// without its AWS calls: part of the SQL a write runs.
async fn relay_sql(pool: &sqlx::MySqlPool, seq: Option<u64>) {
    use taskboard_tasks_api::outbox::{Next, Outbox};
    let Some(seq) = seq else { return };
    let outbox = Outbox::new(pool.clone());
    if let Next::Claimed(row) = outbox.claim_up_to(seq).await.expect("claim") {
        outbox.mark_sent(row.seq).await.expect("mark sent");
    }
}

/// The AWS calls the handler makes besides SQL, run directly with the SDK at the same concurrency:
/// the session read for every request; for writes also the inline relay's change-log put, with the
/// very events the API run just wrote (taken from the outbox, given fresh ids), so the emulator
/// does the same work. (`PutEvents` left the write path with issue 16: the publisher function puts
/// events on the bus from the change log's stream.)
async fn aws_floor(data: &Dataset, op: Op, concurrency: usize) -> Stats {
    use aws_sdk_dynamodb::types::AttributeValue;
    use taskboard_domain::events::TaskEvent;
    use taskboard_tasks_api::changelog::ChangeLog;

    let sdk = taskboard_testing::sdk_config().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let sessions = data
        .tables
        .name(&taskboard_core::tables::SESSIONS)
        .to_owned();
    let changelog = ChangeLog::new(
        dynamo.clone(),
        data.tables.name(&taskboard_core::tables::TASK_LOG),
    );
    let token = taskboard_core::sessions::SessionToken::from_cookie(
        data.cookie.split_once('=').map_or("", |(_, v)| v),
    )
    .expect("bench cookie");
    let session_id = token.storage_id();
    let written: Arc<Vec<serde_json::Value>> = Arc::new(if matches!(op, Op::Create | Op::Status) {
        sqlx::query_scalar::<_, String>("SELECT detail FROM outbox ORDER BY seq DESC LIMIT 500")
            .fetch_all(&data.db.pool)
            .await
            .expect("the API run's events")
            .iter()
            .map(|d| serde_json::from_str(d).expect("outbox detail"))
            .collect()
    } else {
        Vec::new()
    });
    measure(concurrency, move |n| {
        let (dynamo, sessions, changelog, session_id, written) = (
            dynamo.clone(),
            sessions.clone(),
            changelog.clone(),
            session_id.clone(),
            written.clone(),
        );
        async move {
            dynamo
                .get_item()
                .table_name(&sessions)
                .key("session_id", AttributeValue::S(session_id))
                .consistent_read(true)
                .send()
                .await
                .expect("session read");
            if let Some(template) = written.get(n % written.len().max(1)) {
                let mut detail = template.clone();
                detail["event_id"] = serde_json::json!(uuid::Uuid::now_v7().to_string());
                let detail = detail.to_string();
                let event: TaskEvent = serde_json::from_str(&detail).expect("event");
                changelog.record(&event, &detail).await.expect("log put");
            }
        }
    })
    .await
}

/// The release dev server (`taskboard dev --no-workers`: no relay schedule or notifier queue
/// competing for the CPU) for this data set.
pub async fn start_server(data: &Dataset) -> tokio::process::Child {
    let child = tokio::process::Command::new(crate::bin("taskboard"))
        .args(["dev", "--no-workers"])
        .envs(data.env())
        .env("DEV_ADDR", ADDR)
        .env("WEB_DIR", "web")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the dev server");
    taskboard_testing::eventually(Duration::from_secs(60), "the dev server", || async {
        tokio::net::TcpStream::connect(ADDR).await.ok().map(|_| ())
    })
    .await;
    child
}

pub async fn run(data: &Dataset, out_dir: &Path) -> (Vec<WarmRow>, LoginRow) {
    let mut server = start_server(data).await;
    let read_id = data.task_ids[data.task_ids.len() / 2];
    let mut rows = Vec::new();
    for op in [Op::List, Op::Read, Op::Create, Op::Status] {
        let url = match op {
            Op::List => format!("http://{ADDR}/api/tasks?project={}&limit=50", data.project),
            Op::Read => format!("http://{ADDR}/api/tasks/{read_id}"),
            Op::Create => format!("http://{ADDR}/api/tasks"),
            Op::Status => format!("http://{ADDR}/"),
        };
        for concurrency in [1, 16] {
            let moving = if op == Op::Status {
                data.fresh_todo_tasks().await
            } else {
                Vec::new()
            };
            let script = out_dir.join(format!("{}-{concurrency}.lua", op.name().replace(' ', "-")));
            std::fs::write(&script, lua(data, op, &moving)).expect("write wrk script");
            let api = wrk(&url, &script, concurrency).await;
            if op == Op::Status {
                // Every request must have been a change, each with its outbox row.
                let mut count = sqlx::QueryBuilder::<sqlx::MySql>::new(
                    "SELECT COUNT(*) FROM outbox WHERE task_id IN ",
                );
                count.push_tuples(&moving, |mut b, id| {
                    b.push_bind(id.to_string());
                });
                let changes: i64 = count
                    .build_query_scalar()
                    .fetch_one(&data.db.pool)
                    .await
                    .expect("count changes");
                assert!(
                    changes as u64 >= api.requests,
                    "{} status requests but only {changes} changes",
                    api.requests
                );
            }
            // AWS first: it replays the events this API run left in the outbox.
            let aws = aws_floor(data, op, concurrency).await;
            let sql = floor(data, op, concurrency).await;
            rows.push(WarmRow {
                aws_p50_ms: aws.p50_ms,
                overhead_ratio: api.p50_ms / (sql.p50_ms + aws.p50_ms),
                operation: op.name().to_owned(),
                concurrency,
                api_rps: api.rps,
                api_p50_ms: api.p50_ms,
                api_p99_ms: api.p99_ms,
                sql_rps: sql.rps,
                sql_p50_ms: sql.p50_ms,
                sql_p99_ms: sql.p99_ms,
                ratio: api.p50_ms / sql.p50_ms,
            });
        }
    }
    let login = login(data, out_dir).await;
    let _ = server.kill().await;
    (rows, login)
}

async fn login(data: &Dataset, out_dir: &Path) -> LoginRow {
    let script = out_dir.join("login.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{{\"email\":\"{}\",\"password\":\"{}\"}}'\n\
             wrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"X-Requested-With\"] = \"bench\"\n",
            data.users[1].1,
            dataset::PASSWORD
        ),
    )
    .expect("write login script");
    let api = wrk(&format!("http://{ADDR}/api/auth/login"), &script, 1).await;
    let hash = data.password_hash.clone();
    let mut times = tokio::task::spawn_blocking(move || {
        use argon2::{Argon2, PasswordHash, PasswordVerifier};
        let parsed = PasswordHash::new(&hash).expect("hash");
        (0..20)
            .map(|_| {
                let t = Instant::now();
                Argon2::default()
                    .verify_password(dataset::PASSWORD.as_bytes(), &parsed)
                    .expect("verify");
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect::<Vec<_>>()
    })
    .await
    .expect("argon2");
    times.sort_by(f64::total_cmp);
    let verify = percentile(&times, 0.5);
    LoginRow {
        login_p50_ms: api.p50_ms,
        argon2_verify_p50_ms: verify,
        ratio: api.p50_ms / verify,
    }
}

pub async fn notifier_throughput(data: &Dataset) -> NotifierRow {
    use taskboard_log_notifier::handler::parse_envelope;
    let env = data.env();
    let config = taskboard_log_notifier::NotifierConfig::from_env(&|n: &str| env.get(n).cloned())
        .expect("config");
    let notifier = taskboard_log_notifier::Notifier::from_config(&config);
    let template: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("functions/log-notifier/events/task-status-changed.json")
            .expect("event"),
    )
    .expect("json");
    const EVENTS: usize = 200;
    const CONCURRENCY: usize = 8;
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..CONCURRENCY {
        let (notifier, template) = (notifier.clone(), template.clone());
        workers.push(tokio::spawn(async move {
            let mut sent = 0;
            for _ in (w..EVENTS).step_by(CONCURRENCY) {
                let mut e = template.clone();
                e["detail"]["event_id"] = serde_json::json!(uuid::Uuid::new_v4().to_string());
                sent += notifier
                    .handle(parse_envelope(&e.to_string()).expect("envelope"))
                    .await
                    .expect("handle")
                    .sent;
            }
            sent
        }));
    }
    let mut sent = 0;
    for w in workers {
        sent += w.await.expect("worker");
    }
    let secs = started.elapsed().as_secs_f64();
    NotifierRow {
        events: EVENTS,
        emails: sent,
        concurrency: CONCURRENCY,
        events_per_sec: EVENTS as f64 / secs,
    }
}
