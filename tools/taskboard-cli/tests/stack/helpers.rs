use std::collections::HashMap;
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::{Value, json};
use taskboard_cli::dev_server::DevStack;
use taskboard_testing::TestDb;
use taskboard_testing::http::{SITE, TestClient, TestResponse};
use taskboard_testing::mailbox::{self, SentMail};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Stack {
    pub stack: DevStack,
    pub client: TestClient,
    pub env: HashMap<String, String>,
    /// The stack's own database, dropped with it.
    _db: TestDb,
    pub tag: String,
    /// The project everyone [`Stack::person`] makes is a member of; tasks go there by default.
    pub project: String,
}

pub struct Person {
    pub id: String,
    pub email: String,
    pub cookie: String,
}

/// The stack's own emulator tables go with it (its database goes with `db`).
impl Drop for Stack {
    fn drop(&mut self) {
        let tables = taskboard_core::tables::ALL
            .iter()
            .filter_map(|spec| self.env.get(spec.env_var).cloned())
            .collect();
        taskboard_testing::delete_tables(tables);
    }
}

impl Stack {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    pub async fn start_with(overrides: &[(&str, String)]) -> Self {
        let db = TestDb::new().await;
        let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let p = format!("s{tag}-");
        let mut env: HashMap<String, String> = [
            ("DATABASE_URL", db.url.clone()),
            ("SITE_URL", SITE.to_owned()),
            ("SESSIONS_TABLE", format!("{p}sessions")),
            ("LOGIN_ATTEMPTS_TABLE", format!("{p}login_attempts")),
            ("TASK_LOG_TABLE", format!("{p}task_log")),
            ("NOTIFICATIONS_TABLE", format!("{p}notifications")),
            ("RATE_LIMITS_TABLE", format!("{p}rate_limits")),
            // Account e-mail is queued and sent by the notifier, as deployed.
            ("OUTGOING_MAIL_TABLE", format!("{p}outgoing_mail")),
            ("SIGNUP_POLICY", "open".to_owned()),
            ("EVENT_BUS_NAME", format!("{p}bus")),
            ("LOCAL_NOTIFIER_QUEUE", format!("{p}notifier")),
            ("SENDER_ADDRESS", "notifications@taskboard.test".to_owned()),
            (
                "AWS_ENDPOINT_URL",
                std::env::var("AWS_ENDPOINT_URL").unwrap_or_default(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (k, v) in overrides {
            env.insert((*k).to_owned(), v.clone());
        }
        taskboard_testing::sdk_config().await; // refuses to run against anything but the emulator
        let web = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web"));
        let lookup = env.clone();
        let stack = DevStack::assemble(&move |name: &str| lookup.get(name).cloned(), web)
            .await
            .expect("assemble the local stack");
        let client = TestClient::new(stack.router.clone());
        let project = taskboard_domain::ProjectId::new().to_string();
        sqlx::query(
            "INSERT INTO projects (id, name, created_at) VALUES (?, 'Stack', UTC_TIMESTAMP(6))",
        )
        .bind(&project)
        .execute(&db.pool)
        .await
        .expect("insert the stack's project");
        Self {
            stack,
            client,
            env,
            _db: db,
            tag,
            project,
        }
    }

    /// Sign someone up through the API, as a person does: the verification link from the mailbox,
    /// then sign-in (unique address per test). They join the stack's project.
    pub async fn person(&self, name: &str) -> Person {
        let email = format!("{}-{}@example.com", name.to_lowercase(), self.tag);
        self.client
            .post(
                "/api/auth/signup",
                &json!({"email": email, "password": PASSWORD, "name": name}),
                None,
            )
            .await
            .assert_status(StatusCode::ACCEPTED);
        // The stack's emulator is this process's AWS_ENDPOINT_URL too.
        self.send_account_mail().await;
        let link = mailbox::wait_for(&email, "Confirm your e-mail address").await;
        let token = mailbox::link_token(&link.body, "verify");
        self.client
            .post("/api/auth/verify", &json!({"token": token}), None)
            .await
            .assert_status(StatusCode::NO_CONTENT);
        let res = self
            .client
            .post(
                "/api/auth/login",
                &json!({"email": email, "password": PASSWORD}),
                None,
            )
            .await;
        res.assert_status(StatusCode::OK);
        let id = res.json()["id"].as_str().expect("id").to_owned();
        sqlx::query(
            "INSERT INTO project_members (project_id, user_id, role, joined_at) \
             VALUES (?, ?, 'member', UTC_TIMESTAMP(6))",
        )
        .bind(&self.project)
        .bind(&id)
        .execute(&self._db.pool)
        .await
        .expect("join the stack's project");
        let cookie = res
            .header("set-cookie")
            .split(';')
            .next()
            .expect("session cookie")
            .to_owned();
        Person { id, email, cookie }
    }

    pub async fn call(
        &self,
        who: &Person,
        method: Method,
        path: &str,
        mut body: Option<Value>,
    ) -> TestResponse {
        if method == Method::POST
            && path == "/api/tasks"
            && let Some(fields) = body.as_mut().and_then(Value::as_object_mut)
        {
            fields
                .entry("project_id")
                .or_insert_with(|| json!(self.project));
        }
        // These tests are about what a change sets off, not about concurrency: task changes go
        // to whatever version is current.
        let blind: &[(&str, &str)] = if path.starts_with("/api/tasks/")
            && (method == Method::PATCH || method == Method::DELETE)
        {
            &[("if-match", "*")]
        } else {
            &[]
        };
        self.client
            .call(method, path, body.as_ref(), Some(&who.cookie), blind)
            .await
    }

    /// Send the account e-mail the functions queued (the notifier, over the queue's stream).
    pub async fn send_account_mail(&self) {
        if let Some(outgoing) = &self.stack.outgoing {
            outgoing
                .pump_all()
                .await
                .expect("the notifier reads the outgoing-mail stream");
        }
    }

    /// Take the change log's new items to the bus (the publisher, over the stream), then hand
    /// everything the rules delivered to the notifier, as the dev server's loops do.
    pub async fn deliver(&self) {
        self.send_account_mail().await;
        self.stack
            .publisher
            .pump_all()
            .await
            .expect("the publisher reads the change log's stream");
        let drained = self
            .stack
            .queue
            .drain_once(&self.stack.notifier, 0)
            .await
            .expect("drain");
        assert_eq!(drained.failed, 0, "the notifier handled every event");
    }

    /// Task mail sent to any of this test's people, newest first (account mail left out).
    pub async fn mail(&self) -> Vec<SentMail> {
        let suffix = format!("-{}@example.com", self.tag);
        let mut mail = mailbox::fetch_to(&self.env["AWS_ENDPOINT_URL"], &suffix)
            .await
            .expect("mailbox");
        mail.retain(|m| !m.subject.contains("Confirm your e-mail address"));
        mail
    }

    /// Wait until `count` messages have arrived for this test's people.
    pub async fn mail_count(&self, count: usize) -> Vec<SentMail> {
        taskboard_testing::eventually(
            Duration::from_secs(10),
            &format!("{count} e-mails"),
            || async {
                let mail = self.mail().await;
                (mail.len() >= count).then_some(mail)
            },
        )
        .await
    }
}

pub fn to<'a>(mail: &'a [SentMail], who: &Person) -> Vec<&'a SentMail> {
    mail.iter().filter(|m| m.to.contains(&who.email)).collect()
}
