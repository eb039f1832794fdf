//! Driving a function's router in-process, as the web site would.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The site origin the tests' functions are configured with.
pub const SITE: &str = "http://127.0.0.1:3000";

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

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type")
    }

    /// Assert a status, with the body in the failure message.
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.text());
        self
    }

    /// Assert a problem+json answer with the given status and problem type slug.
    pub fn assert_problem(&self, status: StatusCode, slug: &str) -> Value {
        self.assert_status(status);
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

/// Sends requests to a router in-process, from a fixed client address.
#[derive(Clone)]
pub struct TestClient {
    pub router: Router,
    pub client_ip: String,
}

impl TestClient {
    pub fn new(router: Router) -> Self {
        Self {
            router,
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
            .expect("routers are infallible");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("read body").to_bytes().to_vec();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// A request as the web site sends it: same origin, CSRF header on writes, JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        cookie: Option<&str>,
        extra: &[(&str, &str)],
    ) -> TestResponse {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if method != Method::GET {
            req = req
                .header("x-requested-with", "taskboard")
                .header(header::ORIGIN, SITE);
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        self.send(req.body(body).expect("request")).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        self.call(Method::GET, path, None, cookie, &[]).await
    }

    pub async fn post(&self, path: &str, body: &Value, cookie: Option<&str>) -> TestResponse {
        self.call(Method::POST, path, Some(body), cookie, &[]).await
    }
}
