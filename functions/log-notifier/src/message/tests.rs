use std::collections::BTreeMap;

use chrono::Utc;
use serde_json::json;
use taskboard_domain::events::{FieldChange, TaskSnapshot};
use taskboard_domain::{
    DisplayName, EmailAddress, ProjectId, ProjectName, ProjectRef, TaskId, TaskTitle, UserId,
};

use super::*;

pub fn person(name: &str) -> Person {
    Person {
        id: UserId::new(),
        name: DisplayName::parse(name).unwrap(),
        email: EmailAddress::parse(&format!("{}@example.com", name.to_lowercase())).unwrap(),
    }
}

pub fn event(kind: DetailType, actor: &Person) -> TaskEvent {
    TaskEvent {
        event_id: uuid_v4(),
        schema_version: 1,
        detail_type: kind,
        occurred_at: Utc::now(),
        actor: actor.clone(),
        project: ProjectRef {
            id: ProjectId::new(),
            name: ProjectName::parse("Apollo").unwrap(),
        },
        task: TaskSnapshot {
            id: TaskId::new(),
            project_id: ProjectId::new(),
            title: TaskTitle::parse("Ship <b>it</b> & \"more\"").unwrap(),
            description: None,
            status: TaskStatus::Done,
            assignee: None,
            due_date: None,
            created_by: actor.clone(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 2,
        },
        changes: BTreeMap::new(),
        recipients: vec![],
    }
}

fn uuid_v4() -> uuid::Uuid {
    uuid::Uuid::new_v4()
}

fn site() -> SiteUrl {
    SiteUrl::parse("https://tasks.example.com").unwrap()
}

#[test]
fn a_status_change_says_who_moved_what_from_what_to_what() {
    let (ada, bob) = (person("Ada"), person("Bob"));
    let mut e = event(DetailType::StatusChanged, &bob);
    e.changes.insert(
        "status".into(),
        FieldChange {
            from: json!("in_progress"),
            to: json!("done"),
        },
    );
    let mail = compose(&e, &ada, &site());
    assert_eq!(mail.to, "ada@example.com");
    assert_eq!(
        mail.subject,
        "[Taskboard] \u{201c}Ship <b>it</b> & \"more\"\u{201d} moved to Done"
    );
    assert!(mail.text.contains("Bob moved this task to Done."));
    assert!(mail.text.contains("Status: In progress \u{2192} Done"));
    assert!(
        mail.text
            .contains(&format!("https://tasks.example.com/#/tasks/{}", e.task.id))
    );
    assert!(mail.html.contains("Status: In progress &rarr; Done"));
}

#[test]
fn user_text_is_escaped_in_html_only() {
    let (ada, bob) = (person("Ada"), person("Bob"));
    let mut e = event(DetailType::Updated, &bob);
    e.changes.insert(
        "title".into(),
        FieldChange {
            from: json!("<img src=x onerror=alert(1)>"),
            to: json!("Ship"),
        },
    );
    let mail = compose(&e, &ada, &site());
    assert!(
        mail.html
            .contains("Ship &lt;b&gt;it&lt;/b&gt; &amp; &quot;more&quot;")
    );
    assert!(mail.html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!mail.html.contains("<img") && !mail.html.contains("<b>it"));
    assert!(
        mail.text.contains("Ship <b>it</b>"),
        "plain text stays as typed"
    );
}

#[test]
fn assignment_mail_speaks_to_the_new_assignee() {
    let (ada, bob, cy) = (person("Ada"), person("Bob"), person("Cy"));
    let mut e = event(DetailType::Assigned, &ada);
    e.task.assignee = Some(cy.clone());
    e.changes.insert(
        "assignee".into(),
        FieldChange {
            from: json!({"id": bob.id, "name": "Bob", "email": bob.email}),
            to: json!({"id": cy.id, "name": "Cy", "email": cy.email}),
        },
    );
    assert!(
        compose(&e, &cy, &site())
            .subject
            .contains("Ada assigned you")
    );
    let to_bob = compose(&e, &bob, &site());
    assert!(to_bob.subject.ends_with("is now assigned to Cy"));
    assert!(to_bob.text.contains("Assignee: Bob \u{2192} Cy"));
}

#[test]
fn deleted_tasks_have_no_link() {
    let (ada, bob) = (person("Ada"), person("Bob"));
    let mail = compose(&event(DetailType::Deleted, &ada), &bob, &site());
    assert!(mail.subject.ends_with("was deleted"));
    assert!(!mail.text.contains("Open the task"));
}

#[test]
fn the_summary_names_the_latest_change_escapes_it_and_links_only_to_the_board() {
    let (ada, bob) = (person("Ada"), person("Bob"));
    let e = event(DetailType::StatusChanged, &bob);
    let until =
        chrono::DateTime::from_timestamp(1_790_000_000 - 1_790_000_000 % 3600 + 3600, 0).unwrap();
    let mail = compose_summary(&e, &ada, &site(), 30, until);
    let hhmm = until.format("%H:%M UTC").to_string();
    assert!(mail.subject.contains(&hhmm), "{}", mail.subject);
    assert!(mail.text.contains("More than 30 tasks"));
    assert!(mail.text.contains("https://tasks.example.com/"));
    assert!(
        mail.html.contains("Ship &lt;b&gt;it&lt;/b&gt;"),
        "{}",
        mail.html
    );
    assert!(!mail.html.contains("<b>it</b>"));
    assert_eq!(mail.to, "ada@example.com");
}
