//! The composition root: from configuration, a MySQL pool and the DynamoDB client to everything
//! the routes use, built once per process. The only module that wires MySQL and AWS together.

use std::sync::Arc;

use sqlx::MySqlPool;
use taskboard_core::aws::LazyClient;
use taskboard_core::sessions::SessionStore;
use taskboard_http::{CookiePolicy, HasSessions};
use taskboard_mysql::users::UserStore;

use crate::LoginConfig;
use crate::password::PasswordHasher;
use crate::throttle::LoginThrottle;

/// Everything the login routes need, built once per process.
#[derive(Clone)]
pub struct LoginState(pub(crate) Arc<Inner>);

pub struct Inner {
    pub users: UserStore,
    pub hasher: PasswordHasher,
    pub sessions: SessionStore,
    pub cookies: CookiePolicy,
    pub throttle: LoginThrottle,
    pub signup_enabled: bool,
    pub client_ip_header: Option<String>,
}

impl LoginState {
    pub fn new(
        config: &LoginConfig,
        pool: MySqlPool,
        dynamo: impl Into<LazyClient<aws_sdk_dynamodb::Client>>,
    ) -> Self {
        let dynamo = dynamo.into();
        Self(Arc::new(Inner {
            users: UserStore::new(pool),
            // Four hashes at once is ~80 MB; Lambda runs one request per instance anyway.
            hasher: PasswordHasher::new(4),
            sessions: config.session.store(dynamo.clone()),
            cookies: config.session.cookie_policy(),
            throttle: LoginThrottle::new(
                dynamo,
                config.login_attempts_table.clone(),
                config.throttle,
            ),
            signup_enabled: config.signup_enabled,
            client_ip_header: config.client_ip_header.clone(),
        }))
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.0.hasher
    }
}

impl HasSessions for LoginState {
    fn sessions(&self) -> &SessionStore {
        &self.0.sessions
    }
    fn cookie_policy(&self) -> &CookiePolicy {
        &self.0.cookies
    }
}
