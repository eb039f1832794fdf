//! E-mail through SES v2, simple content (text + HTML), for the notifier's task e-mail and the
//! account e-mail (invitations, verification, reset, "password changed") alike. Failures are
//! sorted into temporary (throttling, network, service errors: worth another try) and permanent
//! (a rejected message or address). [`escape`] is the one HTML escaping every mail body uses.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};
use taskboard_domain::{DeliveryTag, EmailAddress};

use crate::aws::LazyClient;

/// One e-mail, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Escape user-supplied text for an HTML body or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("temporary SES failure: {0}")]
    Temporary(String),
    #[error("SES refused the message: {0}")]
    Permanent(String),
}

#[derive(Clone)]
pub struct Mailer {
    client: LazyClient<Client>,
    sender: EmailAddress,
    /// `SES_CONFIGURATION_SET`: the configuration set whose event destination reports bounces,
    /// complaints and deliveries to EventBridge. Unset locally (the emulator reports nothing).
    configuration_set: Option<String>,
}

fn content(data: &str) -> Result<Content, SendError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| SendError::Permanent(e.to_string()))
}

impl Mailer {
    pub fn new(client: LazyClient<Client>, sender: EmailAddress) -> Self {
        Self {
            client,
            sender,
            configuration_set: None,
        }
    }

    /// Send through `set` (its events reach the notifier, `docs/decisions.md#13`), if given.
    pub fn with_configuration_set(mut self, set: Option<String>) -> Self {
        self.configuration_set = set;
        self
    }

    /// SES as deployed: throttling (its per-second sending rate) is retried with exponential
    /// backoff inside the SDK, up to 5 attempts from 50 ms to 1 s apart, within 4 s for the whole
    /// call (the shared 2 s would cut the retries short); built on first use.
    pub fn lazy_ses() -> LazyClient<Client> {
        fn ses(sdk: &aws_config::SdkConfig) -> Client {
            use std::time::Duration;
            let timeouts = sdk
                .timeout_config()
                .map_or_else(aws_config::timeout::TimeoutConfig::builder, |t| {
                    t.to_builder()
                })
                .operation_timeout(Duration::from_secs(4))
                .build();
            let config = aws_sdk_sesv2::config::Builder::from(sdk)
                .retry_config(
                    aws_config::retry::RetryConfig::standard()
                        .with_max_attempts(5)
                        .with_initial_backoff(Duration::from_millis(50))
                        .with_max_backoff(Duration::from_secs(1)),
                )
                .timeout_config(timeouts)
                .build();
            Client::from_conf(config)
        }
        LazyClient::new(ses)
    }

    /// Send one e-mail; returns SES's message id.
    pub async fn send(&self, email: &Email) -> Result<String, SendError> {
        self.send_tagged(email, None).await
    }

    /// Send one e-mail whose bounce, complaint and delivery reports name `tag`'s record.
    pub async fn send_tagged(
        &self,
        email: &Email,
        tag: Option<&DeliveryTag>,
    ) -> Result<String, SendError> {
        let tags = match tag {
            Some(tag) => Some(vec![
                MessageTag::builder()
                    .name(DeliveryTag::NAME)
                    .value(tag.value())
                    .build()
                    .map_err(|e| SendError::Permanent(e.to_string()))?,
            ]),
            None => None,
        };
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(
                Body::builder()
                    .text(content(&email.text)?)
                    .html(content(&email.html)?)
                    .build(),
            )
            .build();
        let sent = self
            .client
            .get()
            .await
            .send_email()
            .from_email_address(self.sender.as_str())
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .set_email_tags(tags)
            .send()
            .await;
        match sent {
            Ok(out) => Ok(out.message_id().unwrap_or_default().to_owned()),
            Err(err) => Err(classify(err)),
        }
    }
}

fn classify(err: SdkError<SendEmailError, aws_sdk_sesv2::config::http::HttpResponse>) -> SendError {
    let SdkError::ServiceError(service) = err else {
        // Timeouts, connection failures, unreadable responses: worth another try.
        return SendError::Temporary(aws_sdk_sesv2::Error::from(err).to_string());
    };
    let e = service.into_err();
    let temporary = e.is_too_many_requests_exception() || e.is_limit_exceeded_exception();
    let permanent = e.is_message_rejected()
        || e.is_bad_request_exception()
        || e.is_mail_from_domain_not_verified_exception()
        || e.is_not_found_exception()
        || e.is_account_suspended_exception()
        || e.is_sending_paused_exception();
    let message = aws_sdk_sesv2::Error::from(e).to_string();
    if permanent && !temporary {
        SendError::Permanent(message)
    } else {
        // Throttling, and anything unrecognised (5xx), is retried.
        SendError::Temporary(message)
    }
}
