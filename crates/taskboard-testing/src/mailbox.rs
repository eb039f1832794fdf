//! The emulator's SES outbox: every message it accepted, newest first. The emulator keeps them at
//! `GET $AWS_ENDPOINT_URL/moto-api/data.json` under `ses.Message` (HTML body only, when a message
//! had both). Tests count e-mail with it; the dev mailbox (`taskboard mailbox`, `/_dev/mailbox`)
//! shows it.

use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("cannot reach the emulator at {0}")]
    Unreachable(String),
    #[error("the emulator's state is not readable: {0}")]
    Unreadable(String),
}

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
pub async fn fetch(endpoint: &str) -> Result<Vec<SentMail>, MailboxError> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match fetch_once(endpoint).await {
            Ok(mail) => return Ok(mail),
            Err(MailboxError::Unreadable(reason)) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(%reason, "emulator state not readable yet; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(err) => return Err(err),
        }
    }
}

async fn fetch_once(endpoint: &str) -> Result<Vec<SentMail>, MailboxError> {
    let url = format!("{}/moto-api/data.json", endpoint.trim_end_matches('/'));
    let uri: http::Uri = url
        .parse()
        .map_err(|e| MailboxError::Unreachable(format!("{url}: {e}")))?;
    let client =
        Client::builder(TokioExecutor::new()).build_http::<http_body_util::Empty<bytes::Bytes>>();
    let response = client
        .get(uri)
        .await
        .map_err(|e| MailboxError::Unreachable(format!("{endpoint}: {e}")))?;
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| MailboxError::Unreadable(e.to_string()))?
        .to_bytes();
    let data: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| MailboxError::Unreadable(format!("unexpected answer: {e}")))?;
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

/// The messages to any address ending in `suffix` (a test's own people), newest first.
pub async fn fetch_to(endpoint: &str, suffix: &str) -> Result<Vec<SentMail>, MailboxError> {
    let mut mail = fetch(endpoint).await?;
    mail.retain(|m| m.to.iter().any(|to| to.ends_with(suffix)));
    Ok(mail)
}

/// Wait (up to 10 s) for the newest message to `to` whose subject contains `subject_has`, in the
/// emulator at `$AWS_ENDPOINT_URL`.
pub async fn wait_for(to: &str, subject_has: &str) -> SentMail {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    crate::eventually(
        std::time::Duration::from_secs(10),
        &format!("an e-mail to {to} about {subject_has}"),
        || async {
            fetch_to(&endpoint, to)
                .await
                .ok()?
                .into_iter()
                .find(|m| m.subject.contains(subject_has))
        },
    )
    .await
}

/// The 43-character token of a link like `http://…/#invite=<token>` in a message's body.
pub fn link_token(body: &str, kind: &str) -> String {
    let marker = format!("#{kind}=");
    let start = body.find(&marker).expect("a link in the mail") + marker.len();
    body[start..start + 43].to_owned()
}
