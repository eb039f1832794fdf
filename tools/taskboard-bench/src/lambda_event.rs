//! API Gateway (HTTP API, payload 2.0) events, as Lambda hands them to the functions.

use serde_json::{Value, json};

pub fn http(method: &str, path: &str, cookie: Option<&str>, body: Option<&Value>) -> Value {
    let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
    let mut headers = json!({ "host": "127.0.0.1:3000", "user-agent": "taskboard-bench" });
    if method != "GET" {
        headers["x-requested-with"] = json!("taskboard");
        headers["origin"] = json!("http://127.0.0.1:3000");
    }
    if body.is_some() {
        headers["content-type"] = json!("application/json");
    }
    let query_map: serde_json::Map<String, Value> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), json!(v)))
        .collect();
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {path_only}"),
        "rawPath": path_only,
        "rawQueryString": query,
        "queryStringParameters": query_map,
        "cookies": cookie.map(|c| vec![c.to_owned()]).unwrap_or_default(),
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000", "apiId": "bench", "domainName": "127.0.0.1", "domainPrefix": "127",
            "http": { "method": method, "path": path_only, "protocol": "HTTP/1.1", "sourceIp": "198.51.100.50", "userAgent": "taskboard-bench" },
            "requestId": uuid::Uuid::new_v4().to_string(), "routeKey": format!("{method} {path_only}"),
            "stage": "$default", "time": "23/Nov/2026:18:00:00 +0000", "timeEpoch": 1_795_456_800_000_i64
        },
        "body": body.map(Value::to_string),
        "isBase64Encoded": false
    })
}
