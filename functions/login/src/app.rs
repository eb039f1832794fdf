//! The composition root: from configuration, a MySQL pool and the AWS clients to everything the
//! routes use, built once per process. The only module that wires MySQL and AWS together.

use std::sync::Arc;

use sqlx::MySqlPool;
use taskboard_core::account_mail::AccountMailer;
use taskboard_core::aws::{self, LazyClient};
use taskboard_core::mail::Mailer;
use taskboard_core::sessions::SessionStore;
use taskboard_core::suppressions::Suppressions;
use taskboard_domain::SignupPolicy;
use taskboard_http::{CookiePolicy, HasSessions};
use taskboard_mysql::account_tokens::AccountTokens;
use taskboard_mysql::invitations::InvitationStore;
use taskboard_mysql::users::UserStore;

use crate::LoginConfig;
use crate::password::PasswordHasher;
use crate::throttle::LoginThrottle;

/// Everything the login routes need, built once per process.
#[derive(Clone)]
pub struct LoginState(pub(crate) Arc<Inner>);

pub struct Inner {
    pub users: UserStore,
    pub tokens: AccountTokens,
    pub invitations: InvitationStore,
    pub mail: AccountMailer,
    pub hasher: PasswordHasher,
    pub sessions: SessionStore,
    pub suppressions: Suppressions,
    pub cookies: CookiePolicy,
    pub throttle: LoginThrottle,
    pub signup: SignupPolicy,
    pub client_ip_header: Option<String>,
}

/// The AWS clients login uses.
pub struct Clients {
    pub dynamo: LazyClient<aws_sdk_dynamodb::Client>,
    pub ses: LazyClient<aws_sdk_sesv2::Client>,
}

impl Clients {
    /// The deployed set: built from the environment when a request first needs each one.
    pub fn lazy() -> Self {
        Self {
            dynamo: aws::lazy_dynamo(),
            ses: Mailer::lazy_ses(),
        }
    }
}

impl LoginState {
    pub fn new(config: &LoginConfig, pool: MySqlPool, clients: Clients) -> Self {
        let dynamo = clients.dynamo;
        Self(Arc::new(Inner {
            users: UserStore::new(pool.clone()),
            tokens: AccountTokens::new(pool.clone()),
            invitations: InvitationStore::new(pool),
            mail: config.account_mail.mailer(
                config.session.site_url.clone(),
                clients.ses,
                dynamo.clone(),
            ),
            // Four hashes at once is ~80 MB; Lambda runs one request per instance anyway.
            hasher: PasswordHasher::new(4),
            sessions: config.session.store(dynamo.clone()),
            suppressions: Suppressions::new(dynamo.clone(), config.notifications_table.clone()),
            cookies: config.session.cookie_policy(),
            throttle: LoginThrottle::new(
                dynamo,
                config.login_attempts_table.clone(),
                config.throttle,
            ),
            signup: config.signup.clone(),
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
