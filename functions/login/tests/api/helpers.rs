use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use taskboard_core::storage::sessions::SessionToken;
use taskboard_core::storage::tables;
use taskboard_login::{LoginConfig, LoginState, router};
use taskboard_testing::{TestDb, TestTables};
use tower::ServiceExt;

pub const SITE: &str = "http://127.0.0.1:3000";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub router: Router,
    pub state: LoginState,
    pub db: TestDb,
    pub tables: TestTables,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub client_ip: String,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "body is not JSON: {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `name=value` pair of the session cookie this response sets.
    pub fn session_cookie(&self) -> String {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("taskboard_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
            .expect("response sets the session cookie")
    }

    pub fn set_cookie(&self) -> String {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    /// Assert a problem+json answer with the given status and problem type slug.
    pub fn assert_problem(&self, status: StatusCode, slug: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type(), "application/problem+json");
        let body = self.json();
        assert_eq!(
            body["type"],
            format!("urn:taskboard:problem:{slug}"),
            "{body}"
        );
        assert_eq!(body["status"], status.as_u16());
        body
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
        for (k, v) in overrides {
            env.insert((*k).into(), (*v).into());
        }
        let config = LoginConfig::from_env(&|name: &str| env.get(name).cloned())
            .expect("valid test configuration");
        let state = LoginState::new(&config, db.pool.clone(), dynamo.clone());
        Self {
            router: router(state.clone(), &config),
            state,
            db,
            tables,
            dynamo,
            client_ip: "198.51.100.7".into(),
        }
    }

    pub async fn send(&self, mut request: Request<Body>) -> TestResponse {
        let peer: SocketAddr = format!("{}:40000", self.client_ip)
            .parse()
            .expect("client ip");
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("read body").to_bytes().to_vec();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// A state-changing JSON request as the web site sends it (CSRF header, same origin).
    pub async fn post(&self, path: &str, body: &Value, cookie: Option<&str>) -> TestResponse {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-requested-with", "taskboard")
            .header(header::ORIGIN, SITE);
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        self.send(req.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut req = Request::get(path);
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    pub async fn signup(&self, email: &str, name: &str) -> TestResponse {
        self.post(
            "/api/auth/signup",
            &json!({"email": email, "password": PASSWORD, "name": name}),
            None,
        )
        .await
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
