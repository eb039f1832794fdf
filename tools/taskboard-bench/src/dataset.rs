//! The realistic data set: dozens of users, thousands of tasks, a signed-in user, and fresh
//! emulator tables and bus, all under names of their own.

use std::collections::HashMap;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use password_hash::SaltString;
use password_hash::rand_core::OsRng;
use sqlx::MySqlPool;
use taskboard_core::sessions::SessionStore;
use taskboard_core::tables;
use taskboard_domain::{ProjectId, TaskId, UserId};
use taskboard_http::session_config::SessionConfig;
use taskboard_testing::bus::TestBus;
use taskboard_testing::{TestDb, TestTables};

pub const USERS: usize = 40;
pub const TASKS: usize = 5_000;
/// Tasks each status measurement moves: a multiple of every concurrency and `wrk` thread count
/// used, so no two workers share a task.
pub const STATUS_TASKS: usize = 192;
pub const PASSWORD: &str = "correct horse battery staple";
pub const SITE: &str = "http://127.0.0.1:3300";

pub struct Dataset {
    pub db: TestDb,
    pub tables: TestTables,
    pub bus: TestBus,
    pub users: Vec<(UserId, String)>,
    /// The one project every user is a member of and every task is in (`users[0]` owns it).
    pub project: ProjectId,
    pub task_ids: Vec<TaskId>,
    /// `taskboard_session=...` of `users[0]`.
    pub cookie: String,
    pub password_hash: String,
}

impl Dataset {
    pub async fn create() -> Self {
        let db = TestDb::new().await;
        let dynamo = taskboard_testing::dynamo().await;
        let tables = TestTables::new(&dynamo).await;
        let bus = TestBus::new(&tables.prefix).await;

        let salt = SaltString::generate(&mut OsRng);
        let argon = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19_456, 2, 1, None).expect("params"),
        );
        let password_hash = argon
            .hash_password(PASSWORD.as_bytes(), &salt)
            .expect("hash")
            .to_string();

        let now = chrono::Utc::now();
        let mut users = Vec::new();
        for i in 0..USERS {
            let id = UserId::new();
            let email = format!("user{i}@bench.example.com");
            sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at, email_verified_at) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(id.to_string())
                .bind(&email)
                .bind(format!("Bench User {i}"))
                .bind(&password_hash)
                .bind(now)
                .bind(now)
                .execute(&db.pool)
                .await
                .expect("insert user");
            users.push((id, email));
        }
        let project = ProjectId::new();
        sqlx::query("INSERT INTO projects (id, name, created_at) VALUES (?, 'Bench', ?)")
            .bind(project.to_string())
            .bind(now)
            .execute(&db.pool)
            .await
            .expect("insert project");
        let mut q = sqlx::QueryBuilder::<sqlx::MySql>::new(
            "INSERT INTO project_members (project_id, user_id, role, joined_at) ",
        );
        q.push_values(users.iter().enumerate(), |mut b, (i, (id, _))| {
            b.push_bind(project.to_string())
                .push_bind(id.to_string())
                .push_bind(if i == 0 { "owner" } else { "member" })
                .push_bind(now);
        });
        q.build().execute(&db.pool).await.expect("insert members");
        let task_ids = insert_tasks(&db.pool, project, &users).await;

        let policy = SessionConfig::from_env(&|n: &str| match n {
            "SITE_URL" => Some(SITE.to_owned()),
            "SESSIONS_TABLE" => Some(tables.name(&tables::SESSIONS).to_owned()),
            _ => None,
        })
        .expect("session config")
        .policy;
        let (token, _) = SessionStore::new(dynamo, tables.name(&tables::SESSIONS), policy)
            .create(users[0].0)
            .await
            .expect("session");
        // The notifier's sender must be a verified identity in the emulator.
        let sdk = taskboard_testing::sdk_config().await;
        taskboard_testing::verify_sender(&sdk, "notifications@taskboard.test").await;
        Self {
            db,
            tables,
            bus,
            users,
            project,
            task_ids,
            cookie: format!("taskboard_session={}", token.expose()),
            password_hash,
        }
    }

    /// The functions' environment for this data set (same names as on AWS).
    pub fn env(&self) -> HashMap<String, String> {
        let mut env: HashMap<String, String> = self.tables.env().into_iter().collect();
        for (k, v) in [
            ("DATABASE_URL", self.db.url.clone()),
            ("SITE_URL", SITE.to_owned()),
            ("EVENT_BUS_NAME", self.bus.bus.clone()),
            ("SENDER_ADDRESS", "notifications@taskboard.test".to_owned()),
            (
                "LOCAL_NOTIFIER_QUEUE",
                format!("{}bench-notifier", self.tables.prefix),
            ),
            // Account e-mail queued, as deployed (the dev server's bootstrap makes the table).
            (
                "OUTGOING_MAIL_TABLE",
                self.tables
                    .name(&taskboard_core::tables::OUTGOING_MAIL)
                    .to_owned(),
            ),
            ("DB_MAX_CONNECTIONS", "16".to_owned()),
            // The bench measures the mail path itself, not the per-recipient cap's summary.
            ("TASK_EMAILS_PER_RECIPIENT_PER_HOUR", "1000000".to_owned()),
            // One bench user makes thousands of writes a minute; the cap would answer 429.
            ("TASK_WRITES_PER_MINUTE", "1000000".to_owned()),
            ("RUST_LOG", "warn".to_owned()),
        ] {
            env.insert(k.to_owned(), v);
        }
        env
    }

    /// `STATUS_TASKS` new to-do tasks of `users[0]` (the signed-in user), assigned to `users[1]`
    /// so each change has someone to tell. Every status measurement gets its own, so each of its
    /// requests moves a task whose status it knows (see [`status_for_visit`]).
    pub async fn fresh_todo_tasks(&self) -> Vec<TaskId> {
        let now = chrono::Utc::now();
        let ids: Vec<TaskId> = (0..STATUS_TASKS).map(|_| TaskId::new()).collect();
        let mut q = sqlx::QueryBuilder::<sqlx::MySql>::new(
            "INSERT INTO tasks (id, project_id, title, status, assignee_id, created_by, created_at, updated_at, version) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(id.to_string())
                .push_bind(self.project.to_string())
                .push_bind("A task the benchmark moves along the board")
                .push_bind("todo")
                .push_bind(self.users[1].0.to_string())
                .push_bind(self.users[0].0.to_string())
                .push_bind(now)
                .push_bind(now)
                .push_bind(1_u32);
        });
        q.build()
            .execute(&self.db.pool)
            .await
            .expect("insert tasks");
        ids
    }

    pub async fn drop(self) {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE `{}`",
            self.db.name
        )))
        .execute(&self.db.pool)
        .await;
    }
}

/// Thousands of tasks spread over statuses, creators and assignees, in 500-row inserts.
async fn insert_tasks(
    pool: &MySqlPool,
    project: ProjectId,
    users: &[(UserId, String)],
) -> Vec<TaskId> {
    let statuses = ["todo", "in_progress", "done"];
    let now = chrono::Utc::now();
    let mut ids = Vec::with_capacity(TASKS);
    for chunk in 0..TASKS.div_ceil(500) {
        let mut q = sqlx::QueryBuilder::<sqlx::MySql>::new(
            "INSERT INTO tasks (id, project_id, title, description, status, assignee_id, due_date, created_by, created_at, updated_at, version) ",
        );
        let rows: Vec<usize> = (chunk * 500..((chunk + 1) * 500).min(TASKS)).collect();
        q.push_values(rows, |mut b, i| {
            let id = TaskId::new();
            ids.push(id);
            let assignee = (i % 4 != 0).then(|| users[(i * 7) % users.len()].0.to_string());
            b.push_bind(id.to_string())
                .push_bind(project.to_string())
                .push_bind(format!("Task {i}: a realistic title of moderate length"))
                .push_bind(
                    (i % 3 == 0)
                        .then(|| "Some words of description, the way people write them.".repeat(4)),
                )
                .push_bind(statuses[i % 3])
                .push_bind(assignee)
                .push_bind(
                    (i % 2 == 0)
                        .then(|| chrono::NaiveDate::from_ymd_opt(2026, 12, 1 + (i % 28) as u32)),
                )
                .push_bind(users[i % users.len()].0.to_string())
                .push_bind(now)
                .push_bind(now)
                .push_bind(1_u32);
        });
        q.build().execute(pool).await.expect("insert tasks");
    }
    ids
}

/// The status a to-do task is moved to on its `visit`-th request (0-based): in progress, done,
/// to do, in progress, … so every request is a real change.
pub fn status_for_visit(visit: usize) -> taskboard_domain::TaskStatus {
    taskboard_domain::TaskStatus::ALL[(visit + 1) % 3]
}
