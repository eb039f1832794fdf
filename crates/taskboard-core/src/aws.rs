//! AWS SDK configuration and clients, built once per process and only when first needed.
//!
//! Nothing here special-cases local runs: the SDK itself honours `AWS_ENDPOINT_URL`, which the
//! local stack points at the emulator, and `AWS_REGION` plus the credential chain as on Lambda.
//!
//! Building the SDK's HTTPS client loads and parses the system's CA certificates, several
//! milliseconds that a cold start should not pay before a request needs AWS. So functions hold a
//! [`LazyClient`], which builds the shared configuration and its client on first use.

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use tokio::sync::OnceCell;

static SHARED: OnceCell<SdkConfig> = OnceCell::const_new();

/// Load the shared SDK configuration from the environment. No network I/O when the region and
/// credentials come from environment variables, as they do on Lambda.
pub async fn load_config() -> SdkConfig {
    fail_fast(aws_config::defaults(BehaviorVersion::latest()))
        .load()
        .await
}

/// Time limits for every AWS call, so a service that hangs fails a request within about two
/// seconds instead of holding it (and a Lambda instance) until the function times out. In-region
/// calls answer in single-digit milliseconds (`make bench`), so each limit is hundreds of times
/// the normal: connecting 500 ms, one attempt 1 s, the whole call with its retries 2 s. The
/// retries (3 attempts) back off from 25 ms, not the SDK's default 1 s, to fit in that budget.
pub fn fail_fast(loader: aws_config::ConfigLoader) -> aws_config::ConfigLoader {
    use std::time::Duration;
    loader
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(500))
                .operation_attempt_timeout(Duration::from_secs(1))
                .operation_timeout(Duration::from_secs(2))
                .build(),
        )
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(25))
                .with_max_backoff(Duration::from_millis(250)),
        )
}

/// The process-wide configuration, loaded on first use.
pub async fn shared_config() -> &'static SdkConfig {
    SHARED.get_or_init(load_config).await
}

/// An SDK client built on first use from the process-wide configuration (or given ready-made).
pub struct LazyClient<C> {
    cell: Arc<OnceCell<C>>,
    make: fn(&SdkConfig) -> C,
}

impl<C> Clone for LazyClient<C> {
    fn clone(&self) -> Self {
        Self {
            cell: self.cell.clone(),
            make: self.make,
        }
    }
}

impl<C> LazyClient<C> {
    /// A client made by `make` from the shared configuration when first needed.
    pub fn new(make: fn(&SdkConfig) -> C) -> Self {
        Self {
            cell: Arc::new(OnceCell::new()),
            make,
        }
    }

    /// A client that already exists (tests, or a client with its own configuration).
    pub fn ready(client: C) -> Self {
        fn unreachable_make<C>(_: &SdkConfig) -> C {
            unreachable!("a ready LazyClient is never built")
        }
        Self {
            cell: Arc::new(OnceCell::new_with(Some(client))),
            make: unreachable_make,
        }
    }

    pub async fn get(&self) -> &C {
        self.cell
            .get_or_init(|| async { (self.make)(shared_config().await) })
            .await
    }
}

impl From<aws_sdk_dynamodb::Client> for LazyClient<aws_sdk_dynamodb::Client> {
    fn from(client: aws_sdk_dynamodb::Client) -> Self {
        Self::ready(client)
    }
}

impl From<aws_sdk_eventbridge::Client> for LazyClient<aws_sdk_eventbridge::Client> {
    fn from(client: aws_sdk_eventbridge::Client) -> Self {
        Self::ready(client)
    }
}

impl From<aws_sdk_sesv2::Client> for LazyClient<aws_sdk_sesv2::Client> {
    fn from(client: aws_sdk_sesv2::Client) -> Self {
        Self::ready(client)
    }
}

/// The DynamoDB client functions use, built on first use.
pub fn lazy_dynamo() -> LazyClient<aws_sdk_dynamodb::Client> {
    LazyClient::new(aws_sdk_dynamodb::Client::new)
}

/// The EventBridge client functions use, built on first use.
pub fn lazy_events() -> LazyClient<aws_sdk_eventbridge::Client> {
    LazyClient::new(aws_sdk_eventbridge::Client::new)
}
