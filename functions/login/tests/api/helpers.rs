use std::collections::HashMap;

use axum::body::Body;
use http::{Request, header};
use serde_json::{Value, json};
use taskboard_core::sessions::SessionToken;
use taskboard_core::tables;
use taskboard_login::accounts::{self, Registration};
use taskboard_login::{Clients, LoginConfig, LoginState, router};
use taskboard_mysql::users::NewAccount;
use taskboard_testing::http::TestClient;
use taskboard_testing::{TestDb, TestTables};

pub use taskboard_testing::http::{SITE, TestResponse};
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub client: TestClient,
    pub state: LoginState,
    pub db: TestDb,
    pub tables: TestTables,
    pub dynamo: aws_sdk_dynamodb::Client,
}

/// What login tests read off a response beyond the shared helpers.
pub trait SessionCookie {
    /// The `name=value` pair of the session cookie this response sets.
    fn session_cookie(&self) -> String;
    fn set_cookie(&self) -> String;
}

impl SessionCookie for TestResponse {
    fn session_cookie(&self) -> String {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("taskboard_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
            .expect("response sets the session cookie")
    }

    fn set_cookie(&self) -> String {
        self.header("set-cookie").to_owned()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A fresh app; `overrides` are extra environment variables for its configuration.
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        let (db, dynamo) = (TestDb::new().await, taskboard_testing::dynamo().await);
        let tables = TestTables::new(&dynamo).await;
        let mut env: HashMap<String, String> = tables.env().into_iter().collect();
        env.insert("DATABASE_URL".into(), db.url.clone());
        env.insert("SITE_URL".into(), SITE.into());
        // Most tests make accounts through sign-up; the policy tests override this.
        env.insert("SIGNUP_POLICY".into(), "open".into());
        for (k, v) in overrides {
            env.insert((*k).into(), (*v).into());
        }
        let config = LoginConfig::from_env(&|name: &str| env.get(name).cloned())
            .expect("valid test configuration");
        let sdk = taskboard_testing::sdk_config().await;
        let clients = Clients {
            dynamo: dynamo.clone().into(),
            ses: aws_sdk_sesv2::Client::new(&sdk).into(),
        };
        let state = LoginState::new(&config, db.pool.clone(), clients);
        Self {
            client: TestClient::new(router(state.clone(), &config)),
            state,
            db,
            tables,
            dynamo,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        self.client.send(request).await
    }

    pub async fn post(&self, path: &str, body: &Value, cookie: Option<&str>) -> TestResponse {
        self.client.post(path, body, cookie).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        self.client.get(path, cookie).await
    }

    pub async fn signup(&self, email: &str, name: &str) -> TestResponse {
        self.post(
            "/api/auth/signup",
            &json!({"email": email, "password": PASSWORD, "name": name}),
            None,
        )
        .await
    }

    /// An account whose address is verified (as an invitation or `create-user` makes one),
    /// signed in: the sign-in response, with its session cookie.
    pub async fn account(&self, email: &str, name: &str) -> TestResponse {
        self.register_verified(email, name).await;
        let res = self.login(email, PASSWORD).await;
        res.assert_status(http::StatusCode::OK);
        res
    }

    /// An account whose address is verified, not signed in.
    pub async fn register_verified(&self, email: &str, name: &str) {
        let registration = Registration::parse(email, name, PASSWORD.to_owned()).expect("valid");
        let new = NewAccount {
            verified: true,
            is_admin: false,
        };
        let users = taskboard_mysql::users::UserStore::new(self.db.pool.clone());
        accounts::register(&users, self.state.hasher(), &registration, new)
            .await
            .expect("register");
    }

    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.post(
            "/api/auth/login",
            &json!({"email": email, "password": password}),
            None,
        )
        .await
    }

    pub async fn me(&self, cookie: &str) -> TestResponse {
        self.get("/api/auth/me", Some(cookie)).await
    }

    /// Overwrite attributes of the stored session behind `cookie` (to move its times).
    pub async fn edit_session(&self, cookie: &str, attributes: &[(&str, i64)]) {
        let token = cookie
            .split_once('=')
            .and_then(|(_, v)| SessionToken::from_cookie(v))
            .expect("session cookie");
        let mut update = self
            .dynamo
            .update_item()
            .table_name(self.tables.name(&tables::SESSIONS))
            .key(
                "session_id",
                aws_sdk_dynamodb::types::AttributeValue::S(token.storage_id()),
            );
        let mut sets = Vec::new();
        for (i, (name, value)) in attributes.iter().enumerate() {
            sets.push(format!("#a{i} = :v{i}"));
            update = update
                .expression_attribute_names(format!("#a{i}"), *name)
                .expression_attribute_values(
                    format!(":v{i}"),
                    aws_sdk_dynamodb::types::AttributeValue::N(value.to_string()),
                );
        }
        update
            .update_expression(format!("SET {}", sets.join(", ")))
            .send()
            .await
            .expect("edit session item");
    }

    pub async fn session_count(&self) -> usize {
        self.dynamo
            .scan()
            .table_name(self.tables.name(&tables::SESSIONS))
            .send()
            .await
            .expect("scan sessions")
            .items()
            .len()
    }

    pub async fn user_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.db.pool)
            .await
            .expect("count users")
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}
