//! People and projects for tests and the soak, written straight to the database and the session
//! table: what signing up, verifying, joining and signing in would leave behind, so a test starts
//! where it means to.

use sqlx::MySqlPool;
use taskboard_core::sessions::{SessionPolicy, SessionStore};
use taskboard_domain::{DisplayName, EmailAddress, ProjectId, ProjectRole, UserId};
use taskboard_mysql::users::{NewAccount, UserStore};

/// A new project named `name`.
pub async fn project(pool: &MySqlPool, name: &str) -> ProjectId {
    let project = ProjectId::new();
    sqlx::query("INSERT INTO projects (id, name, created_at) VALUES (?, ?, UTC_TIMESTAMP(6))")
        .bind(project.to_string())
        .bind(name)
        .execute(pool)
        .await
        .expect("insert a project");
    project
}

/// Make `user` a member of `project` as `role`.
pub async fn join(pool: &MySqlPool, project: ProjectId, user: UserId, role: ProjectRole) {
    sqlx::query(
        "INSERT INTO project_members (project_id, user_id, role, joined_at) \
         VALUES (?, ?, ?, UTC_TIMESTAMP(6))",
    )
    .bind(project.to_string())
    .bind(user.to_string())
    .bind(role.as_str())
    .execute(pool)
    .await
    .expect("add a member");
}

/// A verified account (its password unusable: tests sign in with [`session_cookie`]).
pub async fn verified_user(pool: &MySqlPool, email: &str, name: &str) -> UserId {
    UserStore::new(pool.clone())
        .insert(
            &EmailAddress::parse(email).expect("a test address"),
            &DisplayName::parse(name).expect("a test name"),
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$unused",
            NewAccount {
                verified: true,
                is_admin: false,
            },
        )
        .await
        .expect("insert a user")
        .id
}

/// A fresh session for `user`, as signing in makes one: the `Cookie` header value.
pub async fn session_cookie(
    dynamo: &aws_sdk_dynamodb::Client,
    sessions_table: &str,
    policy: SessionPolicy,
    user: UserId,
) -> String {
    let (token, _) = SessionStore::new(dynamo.clone(), sessions_table, policy)
        .create(user)
        .await
        .expect("a session");
    format!("taskboard_session={}", token.expose())
}
