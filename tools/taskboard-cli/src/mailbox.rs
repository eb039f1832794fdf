//! The dev mailbox: every message the emulator's SES accepted, newest first. The emulator keeps
//! them at `GET $AWS_ENDPOINT_URL/moto-api/data.json` under `ses.Message` (HTML body only, when a
//! message had both).

use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use taskboard_core::config::{self, Env};

use crate::admin::AdminError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SentMail {
    pub id: String,
    pub source: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

#[derive(Deserialize)]
struct Raw {
    id: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    destinations: Destinations,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize, Default)]
struct Destinations {
    #[serde(rename = "ToAddresses", default)]
    to: Vec<String>,
}

/// All messages the emulator at `endpoint` recorded, newest first.
///
/// The emulator serialises its whole live state for this endpoint and fails now and then when
/// another request changes that state mid-way (more often the more state it holds: a 16 MB state
/// took 3.5 s to serialise); such an answer is retried for up to ten seconds.
pub async fn fetch(endpoint: &str) -> Result<Vec<SentMail>, AdminError> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match fetch_once(endpoint).await {
            Ok(mail) => return Ok(mail),
            Err(AdminError::Mailbox(reason)) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(%reason, "emulator state not readable yet; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(err) => return Err(err),
        }
    }
}

async fn fetch_once(endpoint: &str) -> Result<Vec<SentMail>, AdminError> {
    let url = format!("{}/moto-api/data.json", endpoint.trim_end_matches('/'));
    let uri: http::Uri = url
        .parse()
        .map_err(|e| AdminError::Serve(format!("{url}: {e}")))?;
    let client =
        Client::builder(TokioExecutor::new()).build_http::<http_body_util::Empty<bytes::Bytes>>();
    let response = client
        .get(uri)
        .await
        .map_err(|e| AdminError::Serve(format!("cannot reach the emulator at {endpoint}: {e}")))?;
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| AdminError::Mailbox(e.to_string()))?
        .to_bytes();
    let data: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| AdminError::Mailbox(format!("unexpected answer: {e}")))?;
    let raw: Vec<Raw> = serde_json::from_value(data["ses"]["Message"].clone()).unwrap_or_default();
    Ok(raw
        .into_iter()
        .rev()
        .map(|m| SentMail {
            id: m.id,
            source: m.source,
            to: m.destinations.to,
            subject: m.subject,
            body: m.body,
        })
        .collect())
}

/// `taskboard mailbox`: print the newest messages.
pub async fn print(env: &dyn Env, limit: usize) -> Result<(), AdminError> {
    let endpoint = config::required(env, "AWS_ENDPOINT_URL")?;
    let mail = fetch(&endpoint).await?;
    if mail.is_empty() {
        println!("No e-mail yet. Create or change a task assigned to someone else.");
    }
    for m in mail.iter().take(limit) {
        println!(
            "To:      {}\nFrom:    {}\nSubject: {}\n",
            m.to.join(", "),
            m.source,
            m.subject
        );
    }
    Ok(())
}

/// The mailbox as an HTML page for the dev server (`/_dev/mailbox`). Every value is escaped.
pub fn page(mail: &[SentMail]) -> String {
    use taskboard_log_notifier::message::escape;
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Dev mailbox · Taskboard</title><link rel=\"stylesheet\" href=\"/styles.css\"></head><body>\
         <header class=\"bar\"><h1 class=\"brand\">Dev mailbox</h1><nav><a href=\"/\">Back to the board</a></nav></header>\
         <main class=\"wide\"><p class=\"muted\">E-mail the local stack sent through the emulator's SES, newest first. Reload to refresh.</p>",
    );
    if mail.is_empty() {
        html.push_str("<p>No e-mail yet. Create or change a task that concerns someone else.</p>");
    }
    html.push_str("<ol class=\"mailbox\">");
    for m in mail {
        html.push_str(&format!(
            "<li class=\"mail\"><p class=\"mail-subject\"><strong>{}</strong></p><p class=\"muted\">To {} · from {}</p>\
             <details><summary>Show the message</summary><pre class=\"mail-body\">{}</pre></details></li>",
            escape(&m.subject),
            escape(&m.to.join(", ")),
            escape(&m.source),
            escape(&m.body),
        ));
    }
    html.push_str("</ol></main></body></html>");
    html
}
