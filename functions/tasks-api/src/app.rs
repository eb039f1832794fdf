//! The composition root: from configuration, a MySQL pool and the AWS clients to everything the
//! routes use, built once per process. The only module that wires MySQL and AWS together.

use std::sync::Arc;

use sqlx::MySqlPool;
use taskboard_core::account_mail::AccountMailer;
use taskboard_core::aws::{self, LazyClient};
use taskboard_core::mail::Mailer;
use taskboard_core::rate::{RateLimit, RateLimiter};
use taskboard_core::sessions::SessionStore;
use taskboard_http::{CookiePolicy, HasSessions};
use taskboard_mysql::invitations::InvitationStore;
use taskboard_mysql::users::UserStore;

use crate::TasksConfig;
use crate::changelog::ChangeLog;
use crate::deliveries::DeliveryLog;
use crate::outbox::Outbox;
use crate::projects::ProjectStore;
use crate::relay::Relay;
use crate::store::TaskStore;
use crate::store::offboard::Offboarding;

/// Everything the tasks routes need, shared by every request.
#[derive(Clone)]
pub struct TasksState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) users: UserStore,
    pub(crate) tasks: TaskStore,
    pub(crate) projects: ProjectStore,
    pub(crate) offboarding: Offboarding,
    pub(crate) invitations: InvitationStore,
    pub(crate) account_mail: AccountMailer,
    pub(crate) limiter: RateLimiter,
    pub(crate) task_writes: RateLimit,
    pub(crate) invitation_cap: RateLimit,
    pub(crate) changelog: ChangeLog,
    pub(crate) deliveries: DeliveryLog,
    pub(crate) relay: Relay,
    pub(crate) sessions: SessionStore,
    pub(crate) cookies: CookiePolicy,
}

/// The AWS clients tasks-api uses. Sessions and the relay may use different ones (tests point the
/// relay at an unreachable endpoint to prove a write survives an outage). No EventBridge: the
/// change log's stream takes events to the bus (`functions/publisher`).
pub struct Clients {
    pub sessions: LazyClient<aws_sdk_dynamodb::Client>,
    pub changelog: LazyClient<aws_sdk_dynamodb::Client>,
    /// SES, for invitations.
    pub ses: LazyClient<aws_sdk_sesv2::Client>,
}

impl Clients {
    /// The deployed set: built from the environment when a request first needs each one.
    pub fn lazy() -> Self {
        let dynamo = aws::lazy_dynamo();
        Self {
            sessions: dynamo.clone(),
            changelog: dynamo,
            ses: Mailer::lazy_ses(),
        }
    }
}

/// The relay over `pool` and the change log: for the API's inline relay, the scheduled relay
/// Lambda and the dev server's schedule alike.
pub fn relay(pool: MySqlPool, changelog: ChangeLog) -> Relay {
    Relay::new(Outbox::new(pool), changelog)
}

impl TasksState {
    pub fn new(config: &TasksConfig, pool: MySqlPool, clients: Clients) -> Self {
        let deliveries = DeliveryLog::new(
            clients.changelog.clone(),
            config.notifications_table.clone(),
        );
        let changelog = ChangeLog::new(clients.changelog, config.task_log_table.clone());
        let mail = &config.account_mail;
        Self(Arc::new(Inner {
            users: UserStore::new(pool.clone()),
            tasks: TaskStore::new(pool.clone()),
            projects: ProjectStore::new(pool.clone()),
            offboarding: Offboarding::new(pool.clone()),
            invitations: InvitationStore::new(pool.clone()),
            account_mail: mail.mailer(
                config.session.site_url.clone(),
                clients.ses,
                clients.sessions.clone(),
            ),
            limiter: mail.limiter(clients.sessions.clone()),
            task_writes: config.task_writes,
            invitation_cap: config.invitations,
            relay: relay(pool, changelog.clone()),
            changelog,
            deliveries,
            sessions: config.session.store(clients.sessions),
            cookies: config.session.cookie_policy(),
        }))
    }

    pub fn relay(&self) -> &Relay {
        &self.0.relay
    }
}

impl HasSessions for TasksState {
    fn sessions(&self) -> &SessionStore {
        &self.0.sessions
    }
    fn cookie_policy(&self) -> &CookiePolicy {
        &self.0.cookies
    }
}
