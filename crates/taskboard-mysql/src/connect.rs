//! How a function reaches MySQL: [`DatabaseSettings`] from the environment, and [`Database`], the
//! pool plus, on AWS, the IAM token it signs for new connections.
//!
//! - `DATABASE_URL`: `mysql://USER[:PASSWORD]@HOST:PORT/DATABASE[?ssl-mode=…&ssl-ca=…]`.
//! - `DATABASE_AUTH`: `password` (the default; local runs and tests) or `iam`: the URL holds no
//!   password and every new connection signs in with a token made from the function's role
//!   ([`crate::iam`]); the region is `AWS_REGION`, which Lambda sets.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use sqlx::MySqlPool;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions, MySqlSslMode};
use taskboard_core::config::{self, ConfigError, Env};

use crate::iam::{self, TokenError, TokenTarget};

/// Re-sign when the token is this old: a connection opened during a request then still holds a
/// token with at least 5 of its 15 minutes left, longer than any request runs. Ages are measured
/// on the wall clock, which RDS checks tokens against: the monotonic clock may not advance while
/// Lambda keeps the process frozen between invocations.
const RESIGN_AFTER: Duration = Duration::from_secs(600);

/// Where the database is and how to sign in, checked at start-up. Its `Debug` leaves out the
/// password the connection options would print.
#[derive(Clone)]
pub struct DatabaseSettings {
    options: MySqlConnectOptions,
    iam: Option<TokenTarget>,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("host", &self.options.get_host())
            .field("port", &self.options.get_port())
            .field("user", &self.options.get_username())
            .field("database", &self.options.get_database())
            .field("iam", &self.iam.is_some())
            .finish()
    }
}

impl DatabaseSettings {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let url = config::required(env, "DATABASE_URL")?;
        let invalid = |reason: String| ConfigError::Invalid {
            name: "DATABASE_URL",
            reason,
        };
        // Never echo the URL itself: locally it holds a password.
        if !(url.starts_with("mysql://") || url.starts_with("mariadb://")) {
            return Err(invalid("not a mysql://user@host:port/database URL".into()));
        }
        let options: MySqlConnectOptions = url
            .parse()
            .map_err(|_| invalid("not a mysql://user@host:port/database URL".into()))?;
        let auth = env
            .get("DATABASE_AUTH")
            .unwrap_or_else(|| "password".into());
        match auth.trim() {
            "password" => Ok(Self { options, iam: None }),
            "iam" => {
                if url_has_password(&url) {
                    return Err(invalid(
                        "holds a password, but DATABASE_AUTH=iam signs in with a token".into(),
                    ));
                }
                let user = options.get_username();
                if user.is_empty() || !user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    return Err(invalid(
                        "needs a database user of letters, digits and _ for IAM sign-in".into(),
                    ));
                }
                if matches!(
                    options.get_ssl_mode(),
                    MySqlSslMode::Disabled | MySqlSslMode::Preferred
                ) {
                    return Err(invalid(
                        "IAM sign-in needs TLS: add ?ssl-mode=VERIFY_IDENTITY".into(),
                    ));
                }
                let region = config::required(env, "AWS_REGION")?;
                let target = TokenTarget {
                    host: options.get_host().to_owned(),
                    port: options.get_port(),
                    user: user.to_owned(),
                    region,
                };
                Ok(Self {
                    // RDS reads the token through the cleartext plugin, over the TLS above.
                    options: options.enable_cleartext_plugin(true),
                    iam: Some(target),
                })
            }
            other => Err(ConfigError::Invalid {
                name: "DATABASE_AUTH",
                reason: format!("expected password or iam, got {other:?}"),
            }),
        }
    }

    /// Settings for a URL with its password in it (tools and tests).
    pub fn with_password(url: &str) -> Result<Self, ConfigError> {
        let env = |name: &str| (name == "DATABASE_URL").then(|| url.to_owned());
        Self::from_env(&env)
    }

    /// The user this function signs in as.
    pub fn user(&self) -> &str {
        self.options.get_username()
    }

    /// The host and port, for messages.
    pub fn host(&self) -> (&str, u16) {
        (self.options.get_host(), self.options.get_port())
    }

    pub fn database(&self) -> Option<&str> {
        self.options.get_database()
    }

    pub fn uses_iam(&self) -> bool {
        self.iam.is_some()
    }

    /// The same server and TLS settings, as another user with its own password (the first
    /// deploy's bootstrap signs in once as the master user).
    pub fn as_user(&self, user: &str, password: &str) -> MySqlConnectOptions {
        self.options.clone().username(user).password(password)
    }
}

/// Does `mysql://user:password@host/…` carry a password?
fn url_has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// The pool, and the signer that keeps its sign-in token fresh.
#[derive(Clone)]
pub struct Database {
    pool: MySqlPool,
    signer: Option<std::sync::Arc<Signer>>,
}

struct Signer {
    target: TokenTarget,
    options: MySqlConnectOptions,
    signed_at: Mutex<Option<SystemTime>>,
}

impl Database {
    /// A pool for a Lambda function that connects on first use, so a cold start does no network
    /// I/O before the first request needs the database. `max_connections` stays small: one
    /// instance serves one request at a time, so a checkout never waits for a busy connection,
    /// only for a new one: in the VPC that takes tens of milliseconds with TLS and the IAM token,
    /// and a database that has not answered within 2 s makes the request a 503, not a hang.
    pub fn lazy(settings: &DatabaseSettings, max_connections: u32) -> Self {
        Self::lazy_waiting(settings, max_connections, Duration::from_secs(2))
    }

    /// As [`Database::lazy`], for a server whose requests share the pool and may queue for a
    /// connection up to `acquire_timeout` (the dev server).
    pub fn lazy_waiting(
        settings: &DatabaseSettings,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Self {
        let pool = MySqlPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(acquire_timeout)
            .idle_timeout(Duration::from_secs(300))
            .connect_lazy_with(settings.options.clone());
        let signer = settings.iam.clone().map(|target| {
            std::sync::Arc::new(Signer {
                target,
                options: settings.options.clone(),
                signed_at: Mutex::new(None),
            })
        });
        Self { pool, signer }
    }

    pub fn pool(&self) -> &MySqlPool {
        &self.pool
    }

    /// Call at the start of every invocation (Lambda freezes the process between them, so no
    /// timer could do it): with IAM sign-in, sign a new token when the last one is due, for the
    /// connections this invocation may open. Nothing to do with a password.
    pub async fn refresh_credentials(&self) -> Result<(), TokenError> {
        let Some(signer) = &self.signer else {
            return Ok(());
        };
        let now = SystemTime::now();
        if !signer.due(now) {
            return Ok(());
        }
        let credentials = iam::current_credentials().await?;
        let token = iam::auth_token(&signer.target, &credentials, now)?;
        self.pool
            .set_connect_options(signer.options.clone().password(&token));
        signer.signed(now);
        Ok(())
    }
}

impl Signer {
    /// Due when never signed, 10 minutes after the last, or when the clock went backwards.
    fn due(&self, now: SystemTime) -> bool {
        let signed_at = *self.signed_at.lock().unwrap_or_else(|p| p.into_inner());
        signed_at.is_none_or(|at| {
            now.duration_since(at)
                .map_or(true, |age| age >= RESIGN_AFTER)
        })
    }

    fn signed(&self, now: SystemTime) {
        *self.signed_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<DatabaseSettings, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        DatabaseSettings::from_env(&env)
    }

    const IAM_URL: &str = "mysql://taskboard_app@db.example.eu-west-1.rds.amazonaws.com:3306/taskboard?ssl-mode=VERIFY_IDENTITY";

    #[test]
    fn iam_sign_in_takes_the_target_from_the_url_and_the_region() {
        let s = settings(&[
            ("DATABASE_URL", IAM_URL),
            ("DATABASE_AUTH", "iam"),
            ("AWS_REGION", "eu-west-1"),
        ])
        .unwrap();
        assert!(s.uses_iam());
        assert_eq!(
            s.iam,
            Some(TokenTarget {
                host: "db.example.eu-west-1.rds.amazonaws.com".into(),
                port: 3306,
                user: "taskboard_app".into(),
                region: "eu-west-1".into(),
            })
        );
    }

    #[test]
    fn iam_sign_in_refuses_a_password_plain_text_an_odd_user_or_no_region() {
        let cases = [
            (
                "mysql://taskboard_app:hunter2@db:3306/taskboard?ssl-mode=VERIFY_IDENTITY",
                "holds a password",
            ),
            ("mysql://taskboard_app@db:3306/taskboard", "needs TLS"),
            (
                "mysql://task%27board@db:3306/taskboard?ssl-mode=REQUIRED",
                "letters, digits and _",
            ),
        ];
        for (url, reason) in cases {
            let err = settings(&[
                ("DATABASE_URL", url),
                ("DATABASE_AUTH", "iam"),
                ("AWS_REGION", "eu-west-1"),
            ])
            .unwrap_err()
            .to_string();
            assert!(err.contains(reason), "{url}: {err}");
            assert!(!err.contains("hunter2"), "never echo a password: {err}");
        }
        let err = settings(&[("DATABASE_URL", IAM_URL), ("DATABASE_AUTH", "iam")]).unwrap_err();
        assert!(err.to_string().contains("AWS_REGION"), "{err}");
        let err = settings(&[("DATABASE_URL", IAM_URL), ("DATABASE_AUTH", "token")]).unwrap_err();
        assert!(err.to_string().contains("password or iam"), "{err}");
    }

    #[test]
    fn a_bad_url_is_named_without_its_password() {
        let err = settings(&[("DATABASE_URL", "postgres://me:hunter2@db/x")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let ok = settings(&[("DATABASE_URL", "mysql://me:hunter2@db/x")]).unwrap();
        assert!(!format!("{ok:?}").contains("hunter2"), "{ok:?}");
    }

    #[test]
    fn a_token_is_signed_again_after_ten_minutes_not_before() {
        let s = settings(&[
            ("DATABASE_URL", IAM_URL),
            ("DATABASE_AUTH", "iam"),
            ("AWS_REGION", "eu-west-1"),
        ])
        .unwrap();
        let signer = Signer {
            target: s.iam.clone().unwrap(),
            options: s.options.clone(),
            signed_at: Mutex::new(None),
        };
        let t0 = SystemTime::now();
        assert!(signer.due(t0), "the first connection needs a token");
        signer.signed(t0);
        assert!(!signer.due(t0 + Duration::from_secs(599)));
        assert!(signer.due(t0 + RESIGN_AFTER));
        assert!(
            signer.due(t0 - Duration::from_secs(1)),
            "a clock set back re-signs"
        );
    }
}
