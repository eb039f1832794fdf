//! A fake Lambda Runtime API: it hands a function binary events from a queue and collects what the
//! binary answers, exactly over the HTTP protocol Lambda uses (`/2018-06-01/runtime/...`).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::{Mutex, Notify, mpsc};

/// What the function reported for one invocation.
#[derive(Debug)]
pub enum Outcome {
    Response { request_id: String, body: Value },
    Error { request_id: String, body: Value },
    InitError { body: Value },
}

struct Shared {
    /// When the function first asked for an event: the end of its init phase.
    first_poll: std::sync::OnceLock<std::time::Instant>,
    queue: Mutex<VecDeque<(String, Value)>>,
    ready: Notify,
    outcomes: mpsc::UnboundedSender<Outcome>,
}

/// A running fake Runtime API on loopback.
pub struct FakeRuntime {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
}

impl FakeRuntime {
    pub async fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            first_poll: std::sync::OnceLock::new(),
            queue: Mutex::new(VecDeque::new()),
            ready: Notify::new(),
            outcomes: tx,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake runtime");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            shared,
            outcomes: rx,
        }
    }

    /// Queue an event; returns its request id.
    pub async fn invoke(&self, event: Value) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.shared
            .queue
            .lock()
            .await
            .push_back((id.clone(), event));
        self.shared.ready.notify_one();
        id
    }

    /// The next outcome, or `None` after `deadline`.
    pub async fn outcome(&mut self, deadline: Duration) -> Option<Outcome> {
        tokio::time::timeout(deadline, self.outcomes.recv())
            .await
            .ok()
            .flatten()
    }

    /// The body of the next successful response, failing the test on anything else.
    pub async fn response(&mut self) -> Value {
        match self.outcome(Duration::from_secs(60)).await {
            Some(Outcome::Response { body, .. }) => body,
            other => panic!("expected a response from the function, got {other:?}"),
        }
    }

    /// When the function first polled for an event (its init finished), if it has.
    pub fn first_poll(&self) -> Option<std::time::Instant> {
        self.shared.first_poll.get().copied()
    }

    /// The environment Lambda gives every function, pointing at this fake.
    pub fn lambda_env(&self, function_name: &str) -> Vec<(String, String)> {
        [
            ("AWS_LAMBDA_RUNTIME_API", self.addr.to_string()),
            ("AWS_LAMBDA_FUNCTION_NAME", function_name.to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            ),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "test".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// A Runtime API payload kept in a package's `events/` folder.
pub fn event_file(manifest_dir: &str, name: &str) -> Value {
    let path = format!("{manifest_dir}/events/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    shared.first_poll.get_or_init(std::time::Instant::now);
    loop {
        if let Some((id, event)) = shared.queue.lock().await.pop_front() {
            let deadline_ms = SystemTime::now()
                .checked_add(Duration::from_secs(30))
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis());
            let mut headers = HeaderMap::new();
            let mut put = |k: &'static str, v: String| {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    headers.insert(k, v);
                }
            };
            put("lambda-runtime-aws-request-id", id);
            put("lambda-runtime-deadline-ms", deadline_ms.to_string());
            put(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:eu-west-1:000000000000:function:test".into(),
            );
            put(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000;Sampled=0".into(),
            );
            put("content-type", "application/json".into());
            return (StatusCode::OK, headers, event.to_string());
        }
        shared.ready.notified().await;
    }
}

fn json(body: &Bytes) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let _ = shared.outcomes.send(Outcome::Response {
        request_id: id,
        body: json(&body),
    });
    StatusCode::ACCEPTED
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let _ = shared.outcomes.send(Outcome::Error {
        request_id: id,
        body: json(&body),
    });
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    let _ = shared
        .outcomes
        .send(Outcome::InitError { body: json(&body) });
    StatusCode::ACCEPTED
}
