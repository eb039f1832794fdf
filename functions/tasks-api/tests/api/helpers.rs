use std::collections::HashMap;
use std::time::Duration;

use http::Method;
use serde_json::{Value, json};
use taskboard_core::sessions::SessionStore;
use taskboard_core::tables;
use taskboard_domain::{DisplayName, EmailAddress, UserId};
use taskboard_http::session_config::SessionConfig;
use taskboard_mysql::users::UserStore;
use taskboard_tasks_api::changelog::ChangeLog;
use taskboard_tasks_api::relay::Relay;
use taskboard_tasks_api::{Clients, TasksConfig, TasksState, router};
use taskboard_testing::bus::TestBus;
pub use taskboard_testing::http::{SITE, TestClient, TestResponse};
use taskboard_testing::{TestDb, TestTables};

pub struct TestApp {
    pub client: TestClient,
    pub db: TestDb,
    pub tables: TestTables,
    pub bus: TestBus,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub config: TasksConfig,
}

/// A signed-in teammate.
#[derive(Clone)]
pub struct Member {
    pub id: UserId,
    pub cookie: String,
}

/// AWS clients that can never reach their service (a closed port, no retries).
pub async fn unreachable_clients() -> (aws_sdk_dynamodb::Client, aws_sdk_eventbridge::Client) {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    (
        aws_sdk_dynamodb::Client::new(&sdk),
        aws_sdk_eventbridge::Client::new(&sdk),
    )
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::build(false).await
    }

    /// An app whose relay cannot reach DynamoDB or EventBridge (an AWS outage).
    pub async fn spawn_with_aws_down() -> Self {
        Self::build(true).await
    }

    async fn build(aws_down: bool) -> Self {
        let (db, dynamo) = (TestDb::new().await, taskboard_testing::dynamo().await);
        let tables = TestTables::new(&dynamo).await;
        let bus = TestBus::new(&tables.prefix).await;
        let mut env: HashMap<String, String> = tables.env().into_iter().collect();
        env.insert("DATABASE_URL".into(), db.url.clone());
        env.insert("SITE_URL".into(), SITE.into());
        env.insert("EVENT_BUS_NAME".into(), bus.bus.clone());
        let config = TasksConfig::from_env(&|name: &str| env.get(name).cloned())
            .expect("valid test configuration");
        let sdk = taskboard_testing::sdk_config().await;
        let mut clients = Clients {
            sessions: aws_sdk_dynamodb::Client::new(&sdk).into(),
            changelog: aws_sdk_dynamodb::Client::new(&sdk).into(),
            events: aws_sdk_eventbridge::Client::new(&sdk).into(),
        };
        if aws_down {
            let (changelog, events) = unreachable_clients().await;
            clients.changelog = changelog.into();
            clients.events = events.into();
        }
        let state = TasksState::new(&config, db.pool.clone(), clients);
        Self {
            client: TestClient::new(router(state, &config)),
            db,
            tables,
            bus,
            dynamo,
            config,
        }
    }

    /// A relay with working clients, as the scheduled one runs once AWS is back.
    pub async fn working_relay(&self) -> Relay {
        let sdk = taskboard_testing::sdk_config().await;
        let changelog = ChangeLog::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            self.config.task_log_table.clone(),
        );
        taskboard_tasks_api::app::relay(
            self.db.pool.clone(),
            changelog,
            aws_sdk_eventbridge::Client::new(&sdk),
            self.config.event_bus_name.clone(),
        )
    }

    /// Register someone and give them a session.
    pub async fn member(&self, name: &str) -> Member {
        let email = format!(
            "{}-{}@example.com",
            name.to_lowercase(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let user = UserStore::new(self.db.pool.clone())
            .insert(
                &EmailAddress::parse(&email).unwrap(),
                &DisplayName::parse(name).unwrap(),
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$unused",
            )
            .await
            .expect("insert user");
        let policy = SessionConfig::from_env(&|n: &str| match n {
            "SITE_URL" => Some(SITE.to_owned()),
            "SESSIONS_TABLE" => Some(self.tables.name(&tables::SESSIONS).to_owned()),
            _ => None,
        })
        .unwrap()
        .policy;
        let (token, _) = SessionStore::new(
            self.dynamo.clone(),
            self.tables.name(&tables::SESSIONS),
            policy,
        )
        .create(user.id)
        .await
        .expect("session");
        Member {
            id: user.id,
            cookie: format!("taskboard_session={}", token.expose()),
        }
    }

    pub async fn create(&self, who: &Member, body: Value) -> TestResponse {
        self.client
            .post("/api/tasks", &body, Some(&who.cookie))
            .await
    }

    /// Create a task and return its JSON (asserting 201).
    pub async fn task(&self, who: &Member, body: Value) -> Value {
        let res = self.create(who, body).await;
        res.assert_status(http::StatusCode::CREATED);
        res.json()
    }

    pub async fn get(&self, who: &Member, path: &str) -> TestResponse {
        self.client.get(path, Some(&who.cookie)).await
    }

    pub async fn patch(
        &self,
        who: &Member,
        id: &str,
        body: Value,
        if_match: Option<&str>,
    ) -> TestResponse {
        let extra: Vec<(&str, &str)> = if_match.map(|v| ("if-match", v)).into_iter().collect();
        self.client
            .call(
                Method::PATCH,
                &format!("/api/tasks/{id}"),
                Some(&body),
                Some(&who.cookie),
                &extra,
            )
            .await
    }

    pub async fn delete(&self, who: &Member, id: &str, if_match: Option<&str>) -> TestResponse {
        let extra: Vec<(&str, &str)> = if_match.map(|v| ("if-match", v)).into_iter().collect();
        self.client
            .call(
                Method::DELETE,
                &format!("/api/tasks/{id}"),
                None,
                Some(&who.cookie),
                &extra,
            )
            .await
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .expect("count")
    }

    pub async fn unsent_outbox(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .await
    }

    /// Change-log items for a task, straight from DynamoDB.
    pub async fn log_items(&self, task_id: &str) -> usize {
        self.dynamo
            .query()
            .table_name(self.tables.name(&tables::TASK_LOG))
            .key_condition_expression("task_id = :t")
            .expression_attribute_values(
                ":t",
                aws_sdk_dynamodb::types::AttributeValue::S(task_id.to_owned()),
            )
            .send()
            .await
            .expect("query log")
            .items()
            .len()
    }

    /// Events the notifier's rule delivered so far.
    pub async fn delivered(&self) -> Vec<Value> {
        self.bus.drain(Duration::from_millis(300)).await
    }
}

pub fn json_ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect()
}

pub fn title(t: &str) -> Value {
    json!({ "title": t })
}
