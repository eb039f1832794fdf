use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Stack, to};

#[tokio::test]
async fn the_right_people_get_the_right_mail_and_the_actor_none() {
    let s = Stack::start().await;
    let ada = s.person("Ada").await;
    let bob = s.person("Bob").await;
    let cy = s.person("Cy").await;

    // Ada creates a task for Bob: Bob hears, Ada (the actor) does not.
    let task = s
        .call(
            &ada,
            Method::POST,
            "/api/tasks",
            Some(json!({"title": "Fix <the> login page", "assignee_id": bob.id})),
        )
        .await;
    task.assert_status(StatusCode::CREATED);
    let id = task.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/tasks/{id}");
    s.deliver().await;
    let mail = s.mail_count(1).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, std::slice::from_ref(&bob.email));
    assert_eq!(
        mail[0].subject,
        "[Taskboard] Ada assigned you \u{201c}Fix <the> login page\u{201d}"
    );
    assert!(
        mail[0].body.contains("Fix &lt;the&gt; login page"),
        "HTML-escaped: {}",
        mail[0].body
    );
    assert!(
        mail[0]
            .body
            .contains(&format!("http://127.0.0.1:3000/#/tasks/{id}"))
    );

    // Bob moves it to Done: Ada (creator) hears, Bob does not.
    s.call(&bob, Method::PATCH, &path, Some(json!({"status": "done"})))
        .await
        .assert_status(StatusCode::OK);
    s.deliver().await;
    let mail = s.mail_count(2).await;
    assert_eq!(mail[0].to, std::slice::from_ref(&ada.email));
    assert_eq!(
        mail[0].subject,
        "[Taskboard] \u{201c}Fix <the> login page\u{201d} moved to Done"
    );
    assert!(mail[0].body.contains("Bob moved this task to Done."));
    assert!(mail[0].body.contains("Status: To do &rarr; Done"));

    // Ada reassigns it to Cy: Cy (new) and Bob (previous) hear; Ada does not.
    s.call(
        &ada,
        Method::PATCH,
        &path,
        Some(json!({"assignee_id": cy.id})),
    )
    .await
    .assert_status(StatusCode::OK);
    s.deliver().await;
    let mail = s.mail_count(4).await;
    let latest = &mail[..2];
    assert_eq!(to(latest, &cy).len(), 1);
    assert_eq!(to(latest, &bob).len(), 1);
    assert!(to(latest, &cy)[0].subject.contains("Ada assigned you"));
    assert!(
        to(latest, &bob)[0]
            .subject
            .ends_with("is now assigned to Cy")
    );
    assert!(to(latest, &bob)[0].body.contains("Assignee: Bob &rarr; Cy"));

    // Cy edits the title: Ada (creator) hears, with from and to.
    s.call(
        &cy,
        Method::PATCH,
        &path,
        Some(json!({"title": "Fix the sign-in page"})),
    )
    .await
    .assert_status(StatusCode::OK);
    s.deliver().await;
    let mail = s.mail_count(5).await;
    assert_eq!(mail[0].to, std::slice::from_ref(&ada.email));
    assert!(
        mail[0]
            .subject
            .ends_with("\u{201c}Fix the sign-in page\u{201d} was updated")
    );
    assert!(
        mail[0]
            .body
            .contains("Title: Fix &lt;the&gt; login page &rarr; Fix the sign-in page")
    );

    // Ada deletes it: Cy (assignee) hears.
    s.call(&ada, Method::DELETE, &path, None)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    s.deliver().await;
    let mail = s.mail_count(6).await;
    assert_eq!(mail[0].to, std::slice::from_ref(&cy.email));
    assert!(mail[0].subject.ends_with("was deleted"));

    // In all, the actor never got mail about their own change, and nothing came twice.
    assert_eq!(to(&mail, &ada).len(), 2);
    assert_eq!(to(&mail, &bob).len(), 2);
    assert_eq!(to(&mail, &cy).len(), 2);
}

#[tokio::test]
async fn a_task_nobody_else_is_concerned_by_sends_nothing() {
    let s = Stack::start().await;
    let ada = s.person("Ada").await;
    let res = s
        .call(
            &ada,
            Method::POST,
            "/api/tasks",
            Some(json!({"title": "Note to self"})),
        )
        .await;
    let id = res.json()["id"].as_str().unwrap().to_owned();
    s.call(
        &ada,
        Method::PATCH,
        &format!("/api/tasks/{id}"),
        Some(json!({"status": "done"})),
    )
    .await;
    s.deliver().await;
    assert!(s.mail().await.is_empty());
}
