//! The local stand-in for CloudFront + API Gateway + Lambda: one origin that serves `web/` at `/`
//! and hands `/api/*` to the functions' own routers, routed by path exactly as API Gateway does.
//! Beside it run the relay's schedule, the change log's stream into the publisher and the
//! notifier's queue, and `/_dev/mailbox` shows the e-mail that was sent.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use http::{HeaderName, HeaderValue, StatusCode, header};
use taskboard_core::config::{self, Env};
use taskboard_log_notifier::{Notifier, NotifierConfig};
use taskboard_login::{LoginConfig, LoginState};
use taskboard_mysql::connect::Database;
use taskboard_tasks_api::{Clients, TasksConfig, TasksState};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::admin::{self, AdminError};
use crate::local_queue::LocalQueue;
use crate::local_stream::{LocalOutgoing, LocalPublisher};
use crate::mailbox;

/// The security headers CloudFront's response-headers policy adds in the cloud.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Everything the local stack runs, assembled from the environment.
pub struct DevStack {
    pub router: Router,
    pub tasks: TasksState,
    pub notifier: Notifier,
    pub queue: LocalQueue,
    pub publisher: LocalPublisher,
    /// The account-e-mail queue's stream into the notifier, when account e-mail is queued
    /// (`OUTGOING_MAIL_TABLE`, as deployed).
    pub outgoing: Option<LocalOutgoing>,
}

impl DevStack {
    /// Bootstrap the emulator, migrate the database, and build the routers and workers.
    pub async fn assemble(env: &dyn Env, web_dir: PathBuf) -> Result<Self, AdminError> {
        let login_config = LoginConfig::from_env(env)?;
        let tasks_config = TasksConfig::from_env(env)?;
        let notifier_config = NotifierConfig::from_env(env)?;
        let publisher_config = taskboard_publisher::PublisherConfig::from_env(env)?;
        let endpoint = config::required(env, "AWS_ENDPOINT_URL")?;
        let queue = admin::bootstrap(env).await?;
        admin::migrate(env).await?;
        let sdk = taskboard_core::aws::load_config().await;
        let publisher = LocalPublisher::open(
            &sdk,
            &tasks_config.task_log_table,
            taskboard_publisher::Bus::new(
                aws_sdk_eventbridge::Client::new(&sdk),
                publisher_config.event_bus_name,
            ),
        )
        .await?;

        // A long-running server: a larger pool than one Lambda instance's (DB_MAX_CONNECTIONS).
        let pool = Database::lazy_waiting(
            &login_config.database,
            login_config.db_max_connections.max(10),
            Duration::from_secs(5),
        )
        .pool()
        .clone();
        let login_state = LoginState::new(
            &login_config,
            pool.clone(),
            taskboard_login::Clients::lazy(),
        );
        let login = taskboard_login::router(login_state, &login_config);
        let tasks_state = TasksState::new(&tasks_config, pool, Clients::lazy());
        let tasks = taskboard_tasks_api::router(tasks_state.clone(), &tasks_config);
        let site = static_site(web_dir, endpoint);
        let router = Router::new().fallback(move |req: Request| {
            let (login, tasks, site) = (login.clone(), tasks.clone(), site.clone());
            async move { dispatch(req, login, tasks, site).await }
        });
        let notifier = Notifier::from_config(&notifier_config);
        let outgoing = match &notifier_config.outgoing_mail_table {
            Some(table) => Some(LocalOutgoing::open(&sdk, table, notifier.clone()).await?),
            None => None,
        };
        Ok(Self {
            router,
            tasks: tasks_state,
            notifier,
            queue,
            publisher,
            outgoing,
        })
    }

    /// Start the relay schedule and the notifier queue in the background.
    pub fn spawn_workers(&self) {
        tokio::spawn(scheduled_relay(self.tasks.clone()));
        tokio::spawn(publisher_trigger(self.publisher.clone()));
        if let Some(outgoing) = &self.outgoing {
            tokio::spawn(outgoing_trigger(outgoing.clone()));
        }
        tokio::spawn(notifier_target(self.queue.clone(), self.notifier.clone()));
    }
}

pub async fn run(
    env: &dyn Env,
    addr: SocketAddr,
    web_dir: PathBuf,
    workers: bool,
) -> Result<(), AdminError> {
    if !web_dir.join("index.html").is_file() {
        return Err(AdminError::Serve(format!(
            "{} has no index.html; run from the repository root or set WEB_DIR",
            web_dir.display()
        )));
    }
    let site_url: taskboard_domain::SiteUrl = config::required_parsed(env, "SITE_URL")?;
    // Bind first: a second `make dev` fails here, before touching anything.
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        AdminError::Serve(format!(
            "cannot listen on {addr}: {e} (is `make dev` already running?)"
        ))
    })?;
    let stack = DevStack::assemble(env, web_dir).await?;
    if workers {
        stack.spawn_workers();
    }

    let url = site_url.origin().to_owned();
    println!(
        "\n  Taskboard is running: open {url}\n  Sent e-mail: {url}/_dev/mailbox\n  (Ctrl-C stops it)\n"
    );
    // Without TCP_NODELAY a response larger than one segment waits for the client's delayed
    // ACK (~40 ms on Linux): a page of tasks took 60 ms instead of 2 (docs/performance.md).
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        stack
            .router
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| AdminError::Serve(e.to_string()))
}

/// The stand-in for the relay's EventBridge schedule: the scheduled Lambda's drain, every few
/// seconds.
async fn scheduled_relay(state: TasksState) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        match state.relay().drain(100).await {
            Ok(report) if report.logged > 0 => {
                tracing::info!(logged = report.logged, "scheduled relay pass");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "scheduled relay pass failed"),
        }
    }
}

/// The stand-in for the publisher's event source mapping: poll the change log's stream (Lambda
/// polls a stream about four times a second), and after a failed batch wait a little before
/// trying again from the record that failed.
async fn publisher_trigger(publisher: LocalPublisher) {
    loop {
        match publisher.pump_once().await {
            Ok(outcome) if outcome.failed_at.is_none() => {
                if outcome.published + outcome.skipped == 0 {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
            Ok(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            Err(err) => {
                tracing::warn!(error = %err, "change-log stream unavailable; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// The stand-in for the account-e-mail queue's event source mapping into the notifier.
async fn outgoing_trigger(outgoing: LocalOutgoing) {
    loop {
        match outgoing.pump_once().await {
            Ok(0) => tokio::time::sleep(Duration::from_millis(250)).await,
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "outgoing-mail stream unavailable; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// The stand-in for the notifier's Lambda target: drain the rule's queue into the handler.
async fn notifier_target(queue: LocalQueue, notifier: Notifier) {
    loop {
        if let Err(err) = queue.drain_once(&notifier, 1).await {
            tracing::warn!(error = %err, "notifier queue unavailable; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }
}

/// API Gateway's routes: `/api/auth/*` and `/api/invitations/*` (following an invitation link) →
/// login, other `/api/*` → tasks-api. The rest is the site.
async fn dispatch(req: Request, login: Router, tasks: Router, site: Router) -> Response {
    let path = req.uri().path();
    let target = if path == "/api/auth"
        || path.starts_with("/api/auth/")
        || path.starts_with("/api/invitations/")
    {
        login
    } else if path == "/api" || path.starts_with("/api/") {
        tasks
    } else {
        site
    };
    match target.oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn static_site(web_dir: PathBuf, endpoint: String) -> Router {
    let headers: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-cache"),
    ];
    let mailbox_page = move || {
        let endpoint = endpoint.clone();
        async move {
            match mailbox::fetch(&endpoint).await {
                Ok(mail) => Html(mailbox::page(&mail)).into_response(),
                Err(err) => (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
            }
        }
    };
    let mut router = Router::new()
        .route("/_dev/mailbox", get(mailbox_page))
        .fallback_service(ServeDir::new(web_dir).append_index_html_on_directories(true));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}
