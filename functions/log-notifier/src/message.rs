//! What a person reads: a subject naming the task and what happened, and a text and an HTML body
//! saying who changed what, from what to what, with a link to the task. All user text is escaped
//! in HTML; subjects cannot carry line breaks (task titles and names cannot contain them).

use std::fmt::Write;

use serde_json::Value;
use taskboard_domain::SiteUrl;
use taskboard_domain::TaskStatus;
use taskboard_domain::events::{DetailType, Person, TaskEvent};

pub use taskboard_core::mail::{Email, escape};

/// The link to a task on the site.
pub fn task_link(site: &SiteUrl, event: &TaskEvent) -> String {
    site.link(&format!("/#/tasks/{}", event.task.id))
}

fn headline(event: &TaskEvent, to: &Person) -> (String, String) {
    let title = event.task.title.as_str();
    let actor = event.actor.name.as_str();
    let assigned_to_you = event.task.assignee.as_ref().is_some_and(|a| a.id == to.id);
    match event.detail_type {
        DetailType::Created if assigned_to_you => (
            format!("{actor} assigned you \u{201c}{title}\u{201d}"),
            format!("{actor} created a task and assigned it to you."),
        ),
        DetailType::Created => (
            format!("New task: \u{201c}{title}\u{201d}"),
            format!("{actor} created a task."),
        ),
        DetailType::Assigned if assigned_to_you => (
            format!("{actor} assigned you \u{201c}{title}\u{201d}"),
            format!("{actor} assigned this task to you."),
        ),
        DetailType::Assigned => {
            let who = event
                .task
                .assignee
                .as_ref()
                .map_or("nobody", |a| a.name.as_str());
            (
                format!("\u{201c}{title}\u{201d} is now assigned to {who}"),
                format!("{actor} assigned this task to {who}."),
            )
        }
        DetailType::StatusChanged => {
            let label = event.task.status.label();
            (
                format!("\u{201c}{title}\u{201d} moved to {label}"),
                format!("{actor} moved this task to {label}."),
            )
        }
        DetailType::Updated => (
            format!("\u{201c}{title}\u{201d} was updated"),
            format!("{actor} changed this task."),
        ),
        DetailType::Deleted => (
            format!("\u{201c}{title}\u{201d} was deleted"),
            format!("{actor} deleted this task."),
        ),
    }
}

fn field_label(field: &str) -> &str {
    match field {
        "title" => "Title",
        "description" => "Description",
        "status" => "Status",
        "assignee" => "Assignee",
        "due_date" => "Due date",
        other => other,
    }
}

/// A changed value as a person reads it.
fn show(field: &str, value: &Value) -> String {
    match (field, value) {
        (_, Value::Null) => "none".to_owned(),
        ("status", Value::String(s)) => {
            TaskStatus::parse(s).map_or_else(|_| s.clone(), |s| s.label().to_owned())
        }
        ("assignee", Value::Object(p)) => p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("someone")
            .to_owned(),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// `(label, from, to)` for each change; a description is summarised, not quoted in full.
fn change_lines(event: &TaskEvent) -> Vec<(String, String, String)> {
    event
        .changes
        .iter()
        .map(|(field, change)| {
            let label = field_label(field).to_owned();
            if field == "description" {
                let was = if change.from.is_null() {
                    "none"
                } else {
                    "the previous text"
                };
                let now = if change.to.is_null() {
                    "none"
                } else {
                    "new text (see the task)"
                };
                (label, was.to_owned(), now.to_owned())
            } else {
                (label, show(field, &change.from), show(field, &change.to))
            }
        })
        .collect()
}

/// The e-mail `to` receives about `event`.
pub fn compose(event: &TaskEvent, to: &Person, site: &SiteUrl) -> Email {
    let (subject, lead) = headline(event, to);
    let link = task_link(site, event);
    let changes = change_lines(event);
    let task = &event.task;

    let mut text = format!("Hello {},\n\n{lead}\n\n  {}\n", to.name, task.title);
    let _ = writeln!(text, "  Status: {}", task.status.label());
    if let Some(assignee) = &task.assignee {
        let _ = writeln!(text, "  Assignee: {}", assignee.name);
    }
    if let Some(due) = task.due_date {
        let _ = writeln!(text, "  Due: {due}");
    }
    if !changes.is_empty() {
        text.push_str("\nWhat changed:\n");
        for (label, from, to) in &changes {
            let _ = writeln!(text, "  {label}: {from} \u{2192} {to}");
        }
    }
    if event.detail_type != DetailType::Deleted {
        let _ = write!(text, "\nOpen the task: {link}\n");
    }
    text.push_str(
        "\nYou get this e-mail because you created or are assigned this task on Taskboard.\n",
    );

    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b1f24\">",
    );
    let _ = write!(
        html,
        "<p>Hello {},</p><p>{}</p>",
        escape(to.name.as_str()),
        escape(&lead)
    );
    let _ = write!(
        html,
        "<p style=\"font-size:1.1em\"><strong>{}</strong><br>",
        escape(task.title.as_str())
    );
    let _ = write!(html, "Status: {}", escape(task.status.label()));
    if let Some(assignee) = &task.assignee {
        let _ = write!(html, "<br>Assignee: {}", escape(assignee.name.as_str()));
    }
    if let Some(due) = task.due_date {
        let _ = write!(html, "<br>Due: {due}");
    }
    html.push_str("</p>");
    if !changes.is_empty() {
        html.push_str("<p>What changed:</p><ul>");
        for (label, from, to) in &changes {
            let _ = write!(
                html,
                "<li>{}: {} &rarr; {}</li>",
                escape(label),
                escape(from),
                escape(to)
            );
        }
        html.push_str("</ul>");
    }
    if event.detail_type != DetailType::Deleted {
        let _ = write!(
            html,
            "<p><a href=\"{}\">Open the task</a></p>",
            escape(&link)
        );
    }
    html.push_str(
        "<p style=\"color:#57606a;font-size:.9em\">You get this e-mail because you created or are assigned this task on Taskboard.</p></body></html>",
    );

    Email {
        to: to.email.to_string(),
        subject: format!("[Taskboard] {subject}"),
        text,
        html,
    }
}

/// The one e-mail a person gets instead of many once they pass their hourly cap: it names the
/// change that crossed it, says until when single changes are not mailed, and links to the board.
pub fn compose_summary(
    event: &TaskEvent,
    to: &Person,
    site: &SiteUrl,
    per_hour: u32,
    until: chrono::DateTime<chrono::Utc>,
) -> Email {
    let (latest, _) = headline(event, to);
    let board = site.link("/");
    let until = until.format("%H:%M UTC");
    let lead = format!(
        "More than {per_hour} tasks you follow changed in the last hour. To keep your inbox \
         readable, Taskboard does not e-mail you about each change until {until}."
    );
    let text = format!(
        "Hello {},\n\n{lead}\n\nThe latest: {latest} (by {}).\n\n\
         Everything is on the board: {board}\n\n\
         You get this e-mail because you created or are assigned tasks on Taskboard.\n",
        to.name, event.actor.name
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b1f24\">\
         <p>Hello {},</p><p>{}</p><p>The latest: <strong>{}</strong> (by {}).</p>\
         <p><a href=\"{}\">Open the board</a></p>\
         <p style=\"color:#57606a;font-size:.9em\">You get this e-mail because you created or are \
         assigned tasks on Taskboard.</p></body></html>",
        escape(to.name.as_str()),
        escape(&lead),
        escape(&latest),
        escape(event.actor.name.as_str()),
        escape(&board)
    );
    Email {
        to: to.email.to_string(),
        subject: format!("[Taskboard] Many task changes: e-mails paused until {until}"),
        text,
        html,
    }
}

#[cfg(test)]
pub(crate) mod tests;
