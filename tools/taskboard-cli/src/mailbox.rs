//! The dev mailbox: every message the emulator's SES accepted, newest first, as a page for the
//! dev server and as `taskboard mailbox` in a shell. Read with the test support's reader.

use taskboard_core::config::{self, Env};
pub use taskboard_testing::mailbox::{SentMail, fetch};

use crate::admin::AdminError;

/// `taskboard mailbox`: print the newest messages.
pub async fn print(env: &dyn Env, limit: usize) -> Result<(), AdminError> {
    let endpoint = config::required(env, "AWS_ENDPOINT_URL")?;
    let mail = fetch(&endpoint)
        .await
        .map_err(|e| AdminError::Mailbox(e.to_string()))?;
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
