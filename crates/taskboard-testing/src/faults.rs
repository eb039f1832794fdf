//! Faults on the network path to a real service, for tests that show what a user sees when a
//! dependency misbehaves.
//!
//! - [`FreezeProxy`] is a TCP relay in front of a service (the AWS emulator, MariaDB) that can
//!   freeze: while frozen, bytes in either direction are held, not forwarded, so every call
//!   through it hangs as if the service had stopped answering; on thaw they flow again. It can
//!   also cut every open connection at once (a database failing over).
//! - [`FaultProxy`] is an HTTP proxy in front of the AWS emulator that answers chosen operations
//!   with errors, throttling, timeouts or a dropped connection, before or after the call took
//!   effect.
//!
//! Only the clients pointed at a proxy see its faults, so tests running in parallel against the
//! same service do not.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct FreezeProxy {
    addr: SocketAddr,
    frozen: watch::Sender<bool>,
    live: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl FreezeProxy {
    /// Relay connections on a fresh local port to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy");
        let addr = listener.local_addr().expect("local addr");
        let (frozen, watching) = watch::channel(false);
        let live = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let connections = live.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let watching = watching.clone();
                let connection = tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(
                        pump(client_read, server_write, watching.clone()),
                        pump(server_read, client_write, watching),
                    );
                });
                let mut connections = connections.lock().unwrap_or_else(|p| p.into_inner());
                connections.retain(|c: &tokio::task::AbortHandle| !c.is_finished());
                connections.push(connection.abort_handle());
            }
        });
        Self { addr, frozen, live }
    }

    /// A proxy in front of MariaDB for a test database's `mysql://user:pass@host:port/db` URL;
    /// returns the proxy and the same URL through it.
    pub async fn for_database(url: &str) -> (Self, String) {
        let (scheme_user, rest) = url.split_once('@').expect("a URL with user@host");
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let upstream = authority.replace("localhost", "127.0.0.1");
        let proxy = Self::start(upstream.parse().expect("the database's host:port")).await;
        let through = format!("{scheme_user}@{}/{path}", proxy.addr);
        (proxy, through)
    }

    /// Cut every connection open through the proxy now (both ends see them closed); new ones
    /// are relayed as before.
    pub fn cut(&self) -> usize {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let open = live.iter().filter(|c| !c.is_finished()).count();
        for connection in live.drain(..) {
            connection.abort();
        }
        open
    }

    /// A proxy in front of the AWS emulator (`AWS_ENDPOINT_URL`).
    pub async fn for_emulator() -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL");
        let authority = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .replace("localhost", "127.0.0.1");
        Self::start(authority.parse().expect("the emulator's host:port")).await
    }

    /// `http://127.0.0.1:PORT`, for an SDK endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Hold everything from now on: calls through the proxy hang.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Let the held bytes and everything after them through.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }
}

/// Copy `from` → `to`, holding each chunk while the proxy is frozen.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if frozen.wait_for(|f| !*f).await.is_err() {
            break;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// What the [`FaultProxy`] does to a call it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// A 500 `InternalServerError`; the call never reached the service.
    ServerError,
    /// The service's throttling error (DynamoDB `ProvisionedThroughputExceededException`, SES
    /// `TooManyRequestsException`, EventBridge `ThrottlingException`).
    Throttled,
    /// No answer for 3 s, longer than any client waits for one attempt.
    Hang,
    /// The connection is closed before the call reaches the service.
    Drop,
    /// The call reaches the service and takes effect, then the connection is closed before the
    /// answer: the client cannot tell it happened.
    LostAnswer,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::ServerError => "5xx",
            Fault::Throttled => "throttled",
            Fault::Hang => "timeout",
            Fault::Drop => "dropped",
            Fault::LostAnswer => "lost answer",
        }
    }
}

/// An HTTP proxy in front of the AWS emulator that injects [`Fault`]s by operation name
/// (`PutItem`, `UpdateItem`, `GetItem`, `BatchWriteItem`, `PutEvents`, `SendEmail`, SQS calls...),
/// either on the next `n` calls or at random with a probability, from a seed so a run can be
/// repeated. It counts what it injected.
#[derive(Clone)]
pub struct FaultProxy {
    addr: SocketAddr,
    state: std::sync::Arc<std::sync::Mutex<FaultState>>,
}

struct FaultState {
    rules: Vec<Rule>,
    rng: crate::rng::SeededRng,
    injected: std::collections::BTreeMap<(String, Fault), u64>,
    calls: std::collections::BTreeMap<String, u64>,
    /// The slowest answer the service gave, by operation (faults aside).
    slowest: std::collections::BTreeMap<String, std::time::Duration>,
}

struct Rule {
    operation: String,
    fault: Fault,
    chance: Chance,
}

enum Chance {
    /// Let `skip` calls through, then fault `n`.
    Next {
        skip: u64,
        n: u64,
    },
    Probability(f64),
}

type ProxyBody = http_body_util::Full<bytes::Bytes>;

impl FaultProxy {
    /// A proxy in front of the emulator (`AWS_ENDPOINT_URL`), its random choices seeded.
    pub async fn for_emulator(seed: u64) -> Self {
        let upstream = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy");
        let addr = listener.local_addr().expect("local addr");
        let state = std::sync::Arc::new(std::sync::Mutex::new(FaultState {
            rules: Vec::new(),
            rng: crate::rng::SeededRng::new(seed),
            injected: Default::default(),
            calls: Default::default(),
            slowest: Default::default(),
        }));
        let client: hyper_util::client::legacy::Client<_, ProxyBody> =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        let upstream = std::sync::Arc::new(upstream.trim_end_matches('/').to_owned());
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, client, upstream) = (shared.clone(), client.clone(), upstream.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let (state, client, upstream) =
                            (state.clone(), client.clone(), upstream.clone());
                        async move { relay(request, &state, &client, &upstream).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, state }
    }

    /// `http://127.0.0.1:PORT`, for an SDK endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Give the next `n` calls of `operation` this fault.
    pub fn next(&self, operation: &str, fault: Fault, n: u64) {
        self.add(operation, fault, Chance::Next { skip: 0, n });
    }

    /// Let `skip` calls of `operation` through, then give the `n` after them this fault.
    pub fn after(&self, operation: &str, skip: u64, fault: Fault, n: u64) {
        self.add(operation, fault, Chance::Next { skip, n });
    }

    /// Give each call of `operation` this fault with `probability` (0 to 1).
    pub fn sometimes(&self, operation: &str, fault: Fault, probability: f64) {
        self.add(operation, fault, Chance::Probability(probability));
    }

    /// No more faults from now on.
    pub fn heal(&self) {
        self.lock().rules.clear();
    }

    /// Faults injected so far, by operation and kind.
    pub fn injected(&self) -> std::collections::BTreeMap<(String, Fault), u64> {
        self.lock().injected.clone()
    }

    /// Calls seen so far, by operation.
    pub fn calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.lock().calls.clone()
    }

    /// The slowest answer the service itself gave, by operation.
    pub fn slowest(&self) -> std::collections::BTreeMap<String, std::time::Duration> {
        self.lock().slowest.clone()
    }

    fn add(&self, operation: &str, fault: Fault, chance: Chance) {
        self.lock().rules.push(Rule {
            operation: operation.to_owned(),
            fault,
            chance,
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl FaultState {
    /// The fault for this call of `operation`, if any (and count it).
    fn pick(&mut self, operation: &str) -> Option<Fault> {
        *self.calls.entry(operation.to_owned()).or_default() += 1;
        let mut chosen = None;
        for i in 0..self.rules.len() {
            if self.rules[i].operation != operation {
                continue;
            }
            let hit = match &mut self.rules[i].chance {
                Chance::Next { skip, .. } if *skip > 0 => {
                    *skip -= 1;
                    false
                }
                Chance::Next { n: 0, .. } => false,
                Chance::Next { n, .. } => {
                    *n -= 1;
                    true
                }
                Chance::Probability(p) => {
                    let p = *p;
                    self.rng.unit() < p
                }
            };
            if hit {
                chosen = Some(self.rules[i].fault);
                break;
            }
        }
        if let Some(fault) = chosen {
            *self
                .injected
                .entry((operation.to_owned(), fault))
                .or_default() += 1;
        }
        chosen
    }
}

/// The operation a call names: `X-Amz-Target` for the JSON protocols (DynamoDB, EventBridge,
/// SQS), the path for SES v2's REST API.
fn operation(request: &http::Request<hyper::body::Incoming>) -> String {
    if let Some(target) = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
    {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    match (request.method().as_str(), request.uri().path()) {
        ("POST", "/v2/email/outbound-emails") => "SendEmail".into(),
        (_, path) => format!("other {path}"),
    }
}

fn error_answer(status: u16, code: &str) -> http::Response<ProxyBody> {
    let body = format!(r#"{{"__type":"{code}","message":"injected by the test's fault proxy"}}"#);
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-errortype", code)
        .body(ProxyBody::new(bytes::Bytes::from(body)))
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by the fault proxy")]
struct Dropped;

async fn relay(
    request: http::Request<hyper::body::Incoming>,
    state: &std::sync::Mutex<FaultState>,
    client: &hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        ProxyBody,
    >,
    upstream: &str,
) -> Result<http::Response<ProxyBody>, Dropped> {
    use http_body_util::BodyExt;
    let operation = operation(&request);
    let fault = state
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .pick(&operation);
    match fault {
        Some(Fault::ServerError) => return Ok(error_answer(500, "InternalServerError")),
        Some(Fault::Throttled) => {
            return Ok(match operation.as_str() {
                "SendEmail" => error_answer(429, "TooManyRequestsException"),
                "PutEvents" => error_answer(400, "ThrottlingException"),
                _ => error_answer(400, "ProvisionedThroughputExceededException"),
            });
        }
        Some(Fault::Hang) => {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            return Ok(error_answer(500, "InternalServerError"));
        }
        Some(Fault::Drop) => return Err(Dropped),
        Some(Fault::LostAnswer) | None => {}
    }
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut forward = http::Request::builder()
        .method(parts.method)
        .uri(format!("{upstream}{path}"));
    for (name, value) in &parts.headers {
        forward = forward.header(name, value);
    }
    let forward = forward.body(ProxyBody::new(body)).map_err(|_| Dropped)?;
    let started = std::time::Instant::now();
    let answer = client.request(forward).await.map_err(|_| Dropped)?;
    let (parts, body) = answer.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        let slowest = state.slowest.entry(operation).or_default();
        *slowest = (*slowest).max(started.elapsed());
    }
    if fault == Some(Fault::LostAnswer) {
        return Err(Dropped);
    }
    Ok(http::Response::from_parts(parts, ProxyBody::new(body)))
}
