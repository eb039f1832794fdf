//! The system under test, assembled in one process as the deployed functions are: tasks-api (its
//! router, with the inline relay), the scheduled relay and the notifier, each over its own
//! database and emulator tables, every AWS call through a [`FaultProxy`] and every database
//! connection through a [`FreezeProxy`] that can cut them. The bus delivers to an SQS queue,
//! which the soak reads as Lambda's asynchronous invocation would.

use std::collections::HashMap;
use std::time::Duration;

use taskboard_core::aws::LazyClient;
use taskboard_core::rate::{RateLimit, RateLimiter};
use taskboard_core::suppressions::Suppressions;
use taskboard_core::tables;
use taskboard_domain::{EmailAddress, ProjectId, ProjectRole, SiteUrl, UserId};
use taskboard_log_notifier::Notifier;
use taskboard_log_notifier::caps::RecipientCap;
use taskboard_log_notifier::deliveries::Deliveries;
use taskboard_log_notifier::mailer::Mailer;
use taskboard_mysql::connect::{Database, DatabaseSettings};
use taskboard_publisher::Bus;
use taskboard_tasks_api::changelog::ChangeLog;
use taskboard_tasks_api::relay::Relay;
use taskboard_tasks_api::{Clients, TasksConfig, TasksState};
use taskboard_testing::bus::TestBus;
use taskboard_testing::faults::{FaultProxy, FreezeProxy};
use taskboard_testing::http::{SITE, TestClient};
use taskboard_testing::people;
use taskboard_testing::stream::ChangeStream;
use taskboard_testing::{TEST_SENDER, TestDb, TestTables};

/// The notifier's timeout here (30 s deployed): an invocation still running is cut off, as
/// Lambda would.
pub const NOTIFIER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);
/// A claim is presumed dead after 4 s here (45 s deployed): above the timeout, as deployed, so a
/// live invocation's claim is never taken over; retries come seconds later, not a minute.
pub const CLAIM_STALE_SECS: u64 = 4;
/// The scheduled relay's lease, short for the same reason (120 s deployed).
pub const RELAY_LEASE_SECS: u32 = 3;

pub struct Person {
    pub id: UserId,
    pub email: String,
    pub cookie: String,
}

pub struct System {
    pub api: TestClient,
    pub db: TestDb,
    /// The pool as the functions see it: through the proxy that cuts connections.
    pub pool: sqlx::MySqlPool,
    pub db_proxy: FreezeProxy,
    pub faults: FaultProxy,
    pub tables: TestTables,
    pub bus: TestBus,
    pub relay: Relay,
    /// The change log's stream and the publisher's bus adapter (`workers::publisher`).
    pub stream: tokio::sync::Mutex<ChangeStream>,
    pub publisher: Bus,
    pub notifier: Notifier,
    pub project: ProjectId,
    pub people: Vec<Person>,
    /// A direct (fault-free) emulator client, for the reconciliation.
    pub dynamo: aws_sdk_dynamodb::Client,
}

impl System {
    pub async fn start(seed: u64, people: usize) -> Self {
        let db = TestDb::new().await;
        let (db_proxy, url) = FreezeProxy::for_database(&db.url).await;
        let direct = taskboard_testing::sdk_config().await;
        let dynamo = aws_sdk_dynamodb::Client::new(&direct);
        let tables = TestTables::new(&dynamo).await;
        let bus = TestBus::new(&tables.prefix).await;
        let faults = FaultProxy::for_emulator(seed).await;
        let sdk = taskboard_testing::sdk_config_via(&faults.endpoint()).await;

        let mut env: HashMap<String, String> = tables.env().into_iter().collect();
        env.insert("DATABASE_URL".into(), url.clone());
        env.insert("SITE_URL".into(), SITE.into());
        env.insert("EVENT_BUS_NAME".into(), bus.bus.clone());
        // People here save faster than anyone types; the cap is not what is under test.
        env.insert("TASK_WRITES_PER_MINUTE".into(), "100000".into());
        let config = TasksConfig::from_env(&|name: &str| env.get(name).cloned())
            .expect("valid configuration");
        let settings = DatabaseSettings::with_password(&url).expect("database URL");
        let pool = Database::lazy_waiting(&settings, 16, Duration::from_secs(5))
            .pool()
            .clone();
        let clients = Clients {
            sessions: aws_sdk_dynamodb::Client::new(&sdk).into(),
            changelog: aws_sdk_dynamodb::Client::new(&sdk).into(),
            ses: aws_sdk_sesv2::Client::new(&sdk).into(),
        };
        let state = TasksState::new(&config, pool.clone(), clients);
        let api = TestClient::new(taskboard_tasks_api::router(state, &config));
        let relay = taskboard_tasks_api::app::relay(
            pool.clone(),
            ChangeLog::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                config.task_log_table.clone(),
            ),
        )
        .with_batch_lease(RELAY_LEASE_SECS);
        // The publisher's trigger reads the stream through the faults too (GetRecords,
        // GetShardIterator), and puts events through them (PutEvents).
        let stream = ChangeStream::open(&sdk, &dynamo, &config.task_log_table)
            .await
            .expect("the change log has a stream");
        let publisher = Bus::new(aws_sdk_eventbridge::Client::new(&sdk), bus.bus.clone());
        let notifier = Notifier::new(
            Deliveries::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                tables.name(&tables::NOTIFICATIONS),
            )
            .with_stale_after(CLAIM_STALE_SECS),
            Suppressions::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                tables.name(&tables::NOTIFICATIONS),
            ),
            Mailer::new(
                LazyClient::ready(aws_sdk_sesv2::Client::new(&sdk)),
                EmailAddress::parse(TEST_SENDER).expect("sender"),
            ),
            SiteUrl::parse(SITE).expect("site"),
            // Every change mailed one by one: the summary e-mail is not what is under test.
            RecipientCap::new(
                RateLimiter::new(
                    aws_sdk_dynamodb::Client::new(&sdk),
                    tables.name(&tables::RATE_LIMITS).to_owned(),
                ),
                RateLimit::per_hour(1_000_000),
            ),
        );
        let project = people::project(&db.pool, "Soak").await;
        let mut system = Self {
            api,
            db,
            pool,
            db_proxy,
            faults,
            tables,
            bus,
            relay,
            stream: tokio::sync::Mutex::new(stream),
            publisher,
            notifier,
            project,
            people: Vec::new(),
            dynamo,
        };
        for n in 0..people {
            let person = system.person(n).await;
            system.people.push(person);
        }
        system
    }

    /// A verified owner of the project (so any of them may change any task) with a session,
    /// made directly, before any fault.
    async fn person(&self, n: usize) -> Person {
        let tag = self.tables.prefix.trim_end_matches('-');
        let email = format!("soak{n}-{tag}@example.com");
        let id = people::verified_user(&self.db.pool, &email, &format!("Person {n}")).await;
        people::join(&self.db.pool, self.project, id, ProjectRole::Owner).await;
        let table = self.tables.name(&tables::SESSIONS);
        let cookie = people::session_cookie(&self.dynamo, table, session_policy(table), id).await;
        Person { id, email, cookie }
    }
}

/// The session policy the API uses, from the same variables.
fn session_policy(table: &str) -> taskboard_core::sessions::SessionPolicy {
    let table = table.to_owned();
    taskboard_http::session_config::SessionConfig::from_env(&move |name: &str| match name {
        "SITE_URL" => Some(SITE.to_owned()),
        "SESSIONS_TABLE" => Some(table.clone()),
        _ => None,
    })
    .expect("session configuration")
    .policy
}
