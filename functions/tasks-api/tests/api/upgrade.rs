//! The projects migration on a database as the previous release left it: every task lands in one
//! project whose members are all existing accounts, the earliest its owner and the deployment's
//! administrator, and events not yet relayed follow the new contract.

use serde_json::Value;
use taskboard_mysql::db;
use taskboard_testing::TestDb;

/// The last migration of the release before projects.
const TURN_ONE: i64 = 20261124000001;

#[tokio::test]
async fn existing_people_and_tasks_move_into_one_project() {
    let db = TestDb::at_version(TURN_ONE).await;
    let pool = &db.pool;
    let people = [
        (
            "00000000-0000-7000-8000-000000000002",
            "bob@example.com",
            "Bob",
            "2026-11-02",
        ),
        (
            "00000000-0000-7000-8000-000000000001",
            "ada@example.com",
            "Ada",
            "2026-11-01",
        ),
        (
            "00000000-0000-7000-8000-000000000003",
            "eve@example.com",
            "Eve",
            "2026-11-03",
        ),
    ];
    for (id, email, name, day) in people {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, 'x', ?)",
        )
        .bind(id)
        .bind(email)
        .bind(name)
        .bind(format!("{day} 09:00:00"))
        .execute(pool)
        .await
        .unwrap();
    }
    let (ada, bob) = (people[1].0, people[0].0);
    for (task, creator) in [
        ("00000000-0000-7000-8000-0000000000a1", ada),
        ("00000000-0000-7000-8000-0000000000a2", bob),
    ] {
        sqlx::query(
            "INSERT INTO tasks (id, title, status, assignee_id, created_by, created_at, updated_at, version) \
             VALUES (?, 'Old task', 'todo', ?, ?, NOW(6), NOW(6), 1)",
        )
        .bind(task)
        .bind(bob)
        .bind(creator)
        .execute(pool)
        .await
        .unwrap();
    }
    let detail = serde_json::json!({"event_id": "00000000-0000-7000-8000-0000000000e1", "task": {"id": "00000000-0000-7000-8000-0000000000a1"}});
    sqlx::query(
        "INSERT INTO outbox (event_id, task_id, detail_type, detail, created_at) \
         VALUES ('00000000-0000-7000-8000-0000000000e1', '00000000-0000-7000-8000-0000000000a1', 'Task Created', ?, NOW(6))",
    )
    .bind(detail.to_string())
    .execute(pool)
    .await
    .unwrap();

    db::MIGRATOR.run(pool).await.expect("the upgrade applies");

    let projects: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM projects")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(projects.len(), 1, "one project");
    let (project, name) = &projects[0];
    assert_eq!(name, "Taskboard");
    let members: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, role FROM project_members WHERE project_id = ? ORDER BY user_id",
    )
    .bind(project)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        members,
        [
            (ada.to_owned(), "owner".to_owned()),
            (bob.to_owned(), "member".to_owned()),
            (people[2].0.to_owned(), "member".to_owned()),
        ],
        "everyone a member, the earliest account the owner"
    );
    let admins: Vec<(String,)> = sqlx::query_as("SELECT id FROM users WHERE is_admin")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(admins, [(ada.to_owned(),)]);
    let unverified: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_verified_at IS NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(unverified, 0, "existing addresses count as verified");
    let outside: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE project_id <> ?")
        .bind(project)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(outside, 0, "every task in the project");
    let detail: String = sqlx::query_scalar("SELECT detail FROM outbox")
        .fetch_one(pool)
        .await
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["task"]["project_id"], project.as_str());
    assert_eq!(detail["project"]["name"], "Taskboard");
}

#[tokio::test]
async fn a_fresh_database_gets_no_project_and_no_administrator() {
    let db = TestDb::new().await;
    let projects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(projects, 0);
}
