//! Projects are the unit of access: the isolation matrix over every route, joining through an
//! invitation read from the mailbox, and off-boarding.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use taskboard_domain::{ProjectId, ProjectRole};

use taskboard_testing::mailbox::{link_token, wait_for};

use crate::helpers::{Member, TestApp, title};

/// Who asks, in the order each route is tried: the successful (state-changing) owner goes last.
const WHO: [&str; 5] = ["signed-out", "outsider", "deactivated", "member", "owner"];

#[tokio::test]
async fn the_isolation_matrix() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Olga").await;
    let member = app.member("Mia").await;
    let gone = app.member("Dora").await;
    // An outsider with a project of their own, and a teammate there.
    let outsider = app.person("Otto").await;
    let elsewhere = ProjectId::new();
    sqlx::query(
        "INSERT INTO projects (id, name, created_at) VALUES (?, 'Elsewhere', UTC_TIMESTAMP(6))",
    )
    .bind(elsewhere.to_string())
    .execute(&app.db.pool)
    .await
    .unwrap();
    app.join(&outsider, elsewhere, ProjectRole::Owner).await;
    // Deactivated in the database only, session left alive: the queries themselves refuse them.
    sqlx::query("UPDATE users SET deactivated_at = UTC_TIMESTAMP(6) WHERE id = ?")
        .bind(gone.id.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();

    let p = app.project.to_string();
    let task = app.task(&owner, title("The owner's task")).await;
    let t = task["id"].as_str().unwrap().to_owned();
    let doomed = app.task(&owner, title("To be deleted")).await;
    let d = doomed["id"].as_str().unwrap().to_owned();
    let m = member.id.to_string();

    // (method, path, body, expected for signed-out, outsider, deactivated, member, owner)
    let routes: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
        (
            Method::GET,
            format!("/api/projects/{p}"),
            None,
            [401, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/projects/{p}"),
            Some(json!({"name": "Renamed"})),
            [401, 404, 404, 403, 200],
        ),
        (
            Method::GET,
            format!("/api/projects/{p}/members"),
            None,
            [401, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/projects/{p}/members/{m}"),
            Some(json!({"role": "member"})),
            [401, 404, 404, 403, 200],
        ),
        (
            Method::GET,
            format!("/api/projects/{p}/invitations"),
            None,
            [401, 404, 404, 403, 200],
        ),
        (
            Method::POST,
            format!("/api/projects/{p}/invitations"),
            Some(json!({"email": "new@example.com"})),
            [401, 404, 404, 403, 201],
        ),
        (
            Method::GET,
            format!("/api/tasks?project={p}"),
            None,
            [401, 404, 404, 200, 200],
        ),
        (
            Method::POST,
            "/api/tasks".into(),
            Some(json!({"title": "Mine", "project_id": p})),
            [401, 404, 404, 201, 201],
        ),
        (
            Method::GET,
            format!("/api/tasks/{t}"),
            None,
            [401, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/tasks/{t}/history"),
            None,
            [401, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/tasks/{t}"),
            Some(json!({"status": "done"})),
            [401, 404, 404, 403, 200],
        ),
        (
            Method::DELETE,
            format!("/api/tasks/{d}"),
            None,
            [401, 404, 404, 403, 204],
        ),
        (
            Method::GET,
            format!("/api/tasks/{d}/history"),
            None,
            [401, 404, 404, 200, 200],
        ),
    ];
    let people: [Option<&Member>; 5] = [
        None,
        Some(&outsider),
        Some(&gone),
        Some(&member),
        Some(&owner),
    ];
    for (method, path, body, expected) in routes {
        // Task changes say which version they change (any, here): access is what is tested.
        let versioned: &[(&str, &str)] = if path.starts_with("/api/tasks/")
            && (method == Method::PATCH || method == Method::DELETE)
        {
            &[("if-match", "*")]
        } else {
            &[]
        };
        for ((who, person), want) in WHO.iter().zip(people).zip(expected) {
            let res = app
                .client
                .call(
                    method.clone(),
                    &path,
                    body.as_ref(),
                    person.map(|p| p.cookie.as_str()),
                    versioned,
                )
                .await;
            assert_eq!(
                res.status.as_u16(),
                want,
                "{who}: {method} {path}: {}",
                res.text()
            );
            if want == 404 {
                // Exactly as for something that does not exist: nothing of the project leaks.
                let text = res.text();
                assert!(
                    !text.contains("Renamed")
                        && !text.contains("Team")
                        && !text.contains(&owner.email)
                );
            }
        }
    }

    // Lists show only what the caller shares: no project, task or address of another project.
    let theirs = app.get(&outsider, "/api/projects").await.json();
    let names: Vec<&str> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Elsewhere"]);
    let all = app.get(&outsider, "/api/tasks").await.json();
    assert_eq!(all["items"], json!([]));
    let people = app.get(&outsider, "/api/users").await.text();
    assert!(!people.contains(&owner.email) && !people.contains(&member.email));
    let mine = app.get(&member, "/api/users").await.text();
    assert!(mine.contains(&owner.email) && !mine.contains(&outsider.email));

    // The assignee must be a member: an outsider's id is a field error, not a silent assignment.
    let res = app
        .create(
            &owner,
            json!({"title": "Outsourced", "assignee_id": outsider.id.to_string()}),
        )
        .await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(body["errors"][0]["field"], "assignee_id");
}

#[tokio::test]
async fn an_invitation_read_from_the_mailbox_makes_a_member_who_gets_their_mail() {
    let app = TestApp::spawn().await;
    let login = app.login_client().await;
    let owner = app.owner("Olga").await;
    let p = app.project.to_string();
    let address = format!(
        "newcomer-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );

    let invited = app
        .client
        .post(
            &format!("/api/projects/{p}/invitations"),
            &json!({"email": address, "role": "member"}),
            Some(&owner.cookie),
        )
        .await;
    invited.assert_status(StatusCode::CREATED);
    let pending = app
        .get(&owner, &format!("/api/projects/{p}/invitations"))
        .await
        .json();
    assert_eq!(pending["items"][0]["email"], address.as_str());
    assert!(
        !pending.to_string().contains("token"),
        "owners never see the secret"
    );

    let mail = wait_for(&address, "Join").await;
    assert!(mail.body.contains("Team"), "the mail names the project");
    let token = link_token(&mail.body, "invite");
    let preview = login
        .post("/api/invitations/preview", &json!({"token": token}), None)
        .await;
    preview.assert_status(StatusCode::OK);
    let shown = preview.json();
    assert_eq!(shown["project"]["name"], "Team");
    assert_eq!(
        shown["invited_by"],
        json!({"name": "Olga"}),
        "a name, no ids"
    );
    assert_eq!(shown.get("id"), None);

    let password = "a long enough secret phrase";
    let accepted = login
        .post(
            "/api/invitations/accept",
            &json!({"token": token, "name": "Nia", "password": password}),
            None,
        )
        .await;
    accepted.assert_status(StatusCode::ACCEPTED);
    // Single use.
    login
        .post(
            "/api/invitations/accept",
            &json!({"token": token, "name": "Nia", "password": password}),
            None,
        )
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-token");

    let signed_in = login
        .post(
            "/api/auth/login",
            &json!({"email": address, "password": password}),
            None,
        )
        .await;
    signed_in.assert_status(StatusCode::OK);
    let cookie = signed_in
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let nia_id = signed_in.json()["id"].as_str().unwrap().to_owned();
    let nia = Member {
        id: taskboard_domain::UserId::parse(&nia_id).unwrap(),
        email: address.clone(),
        cookie,
    };
    let projects = app.get(&nia, "/api/projects").await.json();
    assert_eq!(projects["items"].as_array().unwrap().len(), 1);
    assert_eq!(projects["items"][0]["role"], "member");

    // Assigned a task, the new member is among the event's recipients (the notifier's mail from
    // here is the stack tests' and the browser test's to show).
    app.task(
        &owner,
        json!({"title": "Welcome aboard", "assignee_id": nia_id}),
    )
    .await;
    let events = app.delivered().await;
    let created = events
        .iter()
        .find(|e| e["detail"]["task"]["title"] == "Welcome aboard")
        .expect("published");
    assert!(
        created["detail"]["recipients"]
            .to_string()
            .contains(&address)
    );
    assert_eq!(created["detail"]["project"]["name"], "Team");
}

#[tokio::test]
async fn removing_a_member_unassigns_their_open_tasks_and_keeps_an_owner() {
    let app = TestApp::spawn().await;
    let owner = app.owner("Olga").await;
    let leaver = app.member("Lee").await;
    let p = app.project.to_string();
    let open = app
        .task(
            &owner,
            json!({"title": "Open", "assignee_id": leaver.id.to_string()}),
        )
        .await;
    let done = app
        .task(
            &owner,
            json!({"title": "Finished", "status": "done", "assignee_id": leaver.id.to_string()}),
        )
        .await;

    // The last owner can neither leave nor step down.
    let me = owner.id.to_string();
    app.client
        .call(
            Method::DELETE,
            &format!("/api/projects/{p}/members/{me}"),
            None,
            Some(&owner.cookie),
            &[],
        )
        .await
        .assert_problem(StatusCode::CONFLICT, "last-owner");
    app.client
        .call(
            Method::PATCH,
            &format!("/api/projects/{p}/members/{me}"),
            Some(&json!({"role": "member"})),
            Some(&owner.cookie),
            &[],
        )
        .await
        .assert_problem(StatusCode::CONFLICT, "last-owner");

    let removed = app
        .client
        .call(
            Method::DELETE,
            &format!("/api/projects/{p}/members/{}", leaver.id),
            None,
            Some(&owner.cookie),
            &[],
        )
        .await;
    removed.assert_status(StatusCode::NO_CONTENT);
    // Effective on their next request.
    app.get(
        &leaver,
        &format!("/api/tasks/{}", open["id"].as_str().unwrap()),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    let open_now = app
        .get(
            &owner,
            &format!("/api/tasks/{}", open["id"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(
        open_now["assignee"],
        Value::Null,
        "open tasks are unassigned"
    );
    assert_eq!(open_now["version"], 2, "as a change like any other");
    let done_now = app
        .get(
            &owner,
            &format!("/api/tasks/{}", done["id"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(
        done_now["assignee"]["id"],
        leaver.id.to_string(),
        "finished work keeps its name"
    );
    // The change is published; the removed member is no longer among its recipients.
    let events = app.delivered().await;
    let unassigned = events
        .iter()
        .find(|e| e["detail-type"] == "Task Assigned")
        .expect("the unassignment is published");
    let recipients = unassigned["detail"]["recipients"].to_string();
    assert!(
        recipients.contains(&owner.id.to_string()) && !recipients.contains(&leaver.id.to_string())
    );
}

#[tokio::test]
async fn an_archived_project_takes_no_new_members() {
    let app = TestApp::spawn().await;
    let login = app.login_client().await;
    let owner = app.owner("Olga").await;
    let p = app.project.to_string();
    let address = format!(
        "late-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let invited = app
        .client
        .post(
            &format!("/api/projects/{p}/invitations"),
            &json!({"email": address}),
            Some(&owner.cookie),
        )
        .await;
    invited.assert_status(StatusCode::CREATED);
    let invitation = invited.json()["id"].as_str().unwrap().to_owned();
    let token = link_token(&wait_for(&address, "Join").await.body, "invite");

    let archive = |archived: bool| {
        let (app, owner, p) = (&app, &owner, &p);
        async move {
            app.client
                .call(
                    Method::PATCH,
                    &format!("/api/projects/{p}"),
                    Some(&json!({"archived": archived})),
                    Some(&owner.cookie),
                    &[],
                )
                .await
        }
    };
    archive(true).await.assert_status(StatusCode::OK);
    app.client
        .post(
            &format!("/api/projects/{p}/invitations/{invitation}/resend"),
            &json!({}),
            Some(&owner.cookie),
        )
        .await
        .assert_problem(StatusCode::CONFLICT, "project-archived");
    let body = json!({"token": token, "name": "Lou", "password": "a long enough secret phrase"});
    login
        .post("/api/invitations/preview", &json!({"token": token}), None)
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-token");
    login
        .post("/api/invitations/accept", &body, None)
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid-token");

    // Restored, the link (still within its 7 days) works again.
    archive(false).await.assert_status(StatusCode::OK);
    login
        .post("/api/invitations/accept", &body, None)
        .await
        .assert_status(StatusCode::ACCEPTED);
}
