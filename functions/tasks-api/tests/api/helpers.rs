use std::collections::HashMap;
use std::time::Duration;

use http::Method;
use serde_json::{Value, json};
use taskboard_core::tables;
use taskboard_domain::{ProjectId, ProjectRole, UserId};
use taskboard_http::session_config::SessionConfig;
use taskboard_publisher::{Bus, Inserted, publish_batch};
use taskboard_tasks_api::changelog::ChangeLog;
use taskboard_tasks_api::relay::Relay;
use taskboard_tasks_api::{Clients, TasksConfig, TasksState, router};
use taskboard_testing::bus::TestBus;
pub use taskboard_testing::http::{SITE, TestClient, TestResponse};
use taskboard_testing::people;
use taskboard_testing::stream::ChangeStream;
use taskboard_testing::{TestDb, TestTables};

pub struct TestApp {
    pub client: TestClient,
    pub db: TestDb,
    pub tables: TestTables,
    pub bus: TestBus,
    /// The change log's stream, read as the publisher's trigger reads it.
    stream: tokio::sync::Mutex<ChangeStream>,
    publisher: Bus,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub config: TasksConfig,
    /// The project [`TestApp::member`] puts everyone in, and tasks are created in by default.
    pub project: ProjectId,
}

/// A signed-in teammate.
#[derive(Clone)]
pub struct Member {
    pub id: UserId,
    pub email: String,
    pub cookie: String,
}

/// How the app under test reaches AWS.
enum Aws {
    Up,
    RelayDown,
    Through(Box<aws_config::SdkConfig>),
}

/// A DynamoDB client that can never reach the service (a closed port, no retries).
pub async fn unreachable_dynamo() -> aws_sdk_dynamodb::Client {
    let sdk = taskboard_testing::unreachable_sdk_config().await;
    aws_sdk_dynamodb::Client::new(&sdk)
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::build(Aws::Up).await
    }

    /// An app whose relay cannot reach DynamoDB (an AWS outage).
    pub async fn spawn_with_aws_down() -> Self {
        Self::build(Aws::RelayDown).await
    }

    /// An app whose every AWS client uses `sdk` (the functions' time limits, through a
    /// [`taskboard_testing::faults::FreezeProxy`]).
    pub async fn spawn_with_aws(sdk: aws_config::SdkConfig) -> Self {
        Self::build(Aws::Through(Box::new(sdk))).await
    }

    async fn build(aws: Aws) -> Self {
        let (db, dynamo) = (TestDb::new().await, taskboard_testing::dynamo().await);
        let tables = TestTables::new(&dynamo).await;
        let bus = TestBus::new(&tables.prefix).await;
        let mut env: HashMap<String, String> = tables.env().into_iter().collect();
        env.insert("DATABASE_URL".into(), db.url.clone());
        env.insert("SITE_URL".into(), SITE.into());
        let config = TasksConfig::from_env(&|name: &str| env.get(name).cloned())
            .expect("valid test configuration");
        let sdk = match &aws {
            Aws::Through(sdk) => (**sdk).clone(),
            Aws::Up | Aws::RelayDown => taskboard_testing::sdk_config().await,
        };
        let mut clients = Clients {
            sessions: aws_sdk_dynamodb::Client::new(&sdk).into(),
            changelog: aws_sdk_dynamodb::Client::new(&sdk).into(),
            ses: aws_sdk_sesv2::Client::new(&sdk).into(),
        };
        if matches!(aws, Aws::RelayDown) {
            clients.changelog = unreachable_dynamo().await.into();
        }
        let patient = taskboard_testing::sdk_config().await;
        let stream = ChangeStream::open(&patient, &dynamo, &config.task_log_table)
            .await
            .expect("the change log has a stream");
        let publisher = Bus::new(aws_sdk_eventbridge::Client::new(&patient), bus.bus.clone());
        let state = TasksState::new(&config, db.pool.clone(), clients);
        let project = people::project(&db.pool, "Team").await;
        Self {
            client: TestClient::new(router(state, &config)),
            db,
            tables,
            bus,
            stream: tokio::sync::Mutex::new(stream),
            publisher,
            dynamo,
            config,
            project,
        }
    }

    /// The login function over the same database and tables (invitation links, sign-in).
    pub async fn login_client(&self) -> TestClient {
        let mut env: HashMap<String, String> = self.tables.env().into_iter().collect();
        env.insert("DATABASE_URL".into(), self.db.url.clone());
        env.insert("SITE_URL".into(), SITE.into());
        let config = taskboard_login::LoginConfig::from_env(&|n: &str| env.get(n).cloned())
            .expect("valid login configuration");
        let sdk = taskboard_testing::sdk_config().await;
        let clients = taskboard_login::Clients {
            dynamo: self.dynamo.clone().into(),
            ses: aws_sdk_sesv2::Client::new(&sdk).into(),
        };
        let state = taskboard_login::LoginState::new(&config, self.db.pool.clone(), clients);
        TestClient::new(taskboard_login::router(state, &config))
    }

    /// A relay with working clients, as the scheduled one runs once AWS is back.
    pub async fn working_relay(&self) -> Relay {
        let sdk = taskboard_testing::sdk_config().await;
        let changelog = ChangeLog::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            self.config.task_log_table.clone(),
        );
        taskboard_tasks_api::app::relay(self.db.pool.clone(), changelog)
    }

    /// Register someone, make them a member of the test project, and give them a session.
    pub async fn member(&self, name: &str) -> Member {
        let who = self.person(name).await;
        self.join(&who, self.project, ProjectRole::Member).await;
        who
    }

    /// Like [`Self::member`], as the project's owner.
    pub async fn owner(&self, name: &str) -> Member {
        let who = self.person(name).await;
        self.join(&who, self.project, ProjectRole::Owner).await;
        who
    }

    /// Add `who` to `project` as `role`.
    pub async fn join(&self, who: &Member, project: ProjectId, role: ProjectRole) {
        people::join(&self.db.pool, project, who.id, role).await;
    }

    /// Register someone who is in no project yet, and give them a session.
    pub async fn person(&self, name: &str) -> Member {
        let email = format!(
            "{}-{}@example.com",
            name.to_lowercase(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let id = people::verified_user(&self.db.pool, &email, name).await;
        let cookie = self.session_for(id).await;
        Member { id, email, cookie }
    }

    /// A fresh session for `user`, as signing in makes one: the `Cookie` header value.
    pub async fn session_for(&self, user: UserId) -> String {
        let policy = SessionConfig::from_env(&|n: &str| match n {
            "SITE_URL" => Some(SITE.to_owned()),
            "SESSIONS_TABLE" => Some(self.tables.name(&tables::SESSIONS).to_owned()),
            _ => None,
        })
        .unwrap()
        .policy;
        people::session_cookie(
            &self.dynamo,
            self.tables.name(&tables::SESSIONS),
            policy,
            user,
        )
        .await
    }

    /// Create a task; in the test project unless `body` names another.
    pub async fn create(&self, who: &Member, mut body: Value) -> TestResponse {
        if let Some(fields) = body.as_object_mut() {
            fields
                .entry("project_id")
                .or_insert_with(|| json!(self.project.to_string()));
        }
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
        // `None`: whatever version is current (`If-Match: *`); the header itself is required.
        let extra = [("if-match", if_match.unwrap_or("*"))];
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
        // `None`: whatever version is current (`If-Match: *`); the header itself is required.
        let extra = [("if-match", if_match.unwrap_or("*"))];
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

    /// Events the notifier's rule delivered so far: the change log's new items taken to the bus
    /// by the publisher's own code, over the table's stream, as on AWS.
    pub async fn delivered(&self) -> Vec<Value> {
        let mut stream = self.stream.lock().await;
        loop {
            let records: Vec<Inserted> = stream
                .read()
                .await
                .expect("read the change log's stream")
                .into_iter()
                .map(|c| Inserted::from_parts(c.sequence_number.clone(), &c.event_name, c.event()))
                .collect();
            if records.is_empty() {
                break;
            }
            let outcome = publish_batch(&self.publisher, &records).await;
            assert_eq!(
                outcome.failed_at, None,
                "the publisher put every event on the bus"
            );
        }
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
