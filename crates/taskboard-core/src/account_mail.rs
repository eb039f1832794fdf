//! The account e-mails (`docs/decisions.md#12-account-tokens`): an invitation, a verification
//! link, a password-reset link, "your password was changed", and "someone tried to sign up with
//! your address". Each has a text and an HTML body; every user-supplied string is escaped in HTML;
//! links point only at `SITE_URL`, with the token in the fragment (`/#invite=…`) so it never
//! reaches a server's access log. A cap per address and hour keeps the site from being used to
//! flood a mailbox.

use std::fmt::Write;

use taskboard_domain::{DisplayName, EmailAddress, ProjectName, ProjectRole, SiteUrl};

use crate::aws::LazyClient;
use crate::config::{self, ConfigError, Env};
use crate::dynamo::DynamoError;
use crate::mail::{Email, Mailer, SendError, escape};
use crate::mail_queue::MailQueue;
use crate::rate::{Admission, RateLimit, RateLimiter};
use crate::tokens::SecretToken;

/// One account e-mail, before it is written.
pub enum AccountMail<'a> {
    Invitation {
        project: Option<&'a ProjectName>,
        inviter: Option<&'a DisplayName>,
        role: ProjectRole,
        token: &'a SecretToken,
    },
    Verify {
        name: &'a DisplayName,
        token: &'a SecretToken,
    },
    /// Task e-mail to the address stopped (a bounce or a complaint); the person asked to prove
    /// it again. The same link as [`AccountMail::Verify`].
    Reconfirm {
        name: &'a DisplayName,
        token: &'a SecretToken,
    },
    Reset {
        name: &'a DisplayName,
        token: &'a SecretToken,
    },
    PasswordChanged {
        name: &'a DisplayName,
    },
    AlreadyRegistered {
        name: &'a DisplayName,
    },
}

/// Write `mail` to `to`.
pub fn compose(mail: &AccountMail<'_>, to: &EmailAddress, site: &SiteUrl) -> Email {
    let (subject, greeting, lines, action) = match mail {
        AccountMail::Invitation {
            project,
            inviter,
            role,
            token,
        } => {
            let who = inviter.map_or("An administrator", |n| n.as_str());
            let what = match project {
                Some(p) => format!(
                    "{who} invited you to join the project \u{201c}{p}\u{201d} on Taskboard as {}.",
                    match role {
                        ProjectRole::Owner => "an owner",
                        ProjectRole::Member => "a member",
                    }
                ),
                None => format!("{who} invited you to run this Taskboard as its administrator."),
            };
            (
                match project {
                    Some(p) => format!("Join \u{201c}{p}\u{201d} on Taskboard"),
                    None => "You are invited to Taskboard".to_owned(),
                },
                "Hello,".to_owned(),
                vec![
                    what,
                    "The link works once and for 7 days. If you did not expect this, ignore this e-mail.".to_owned(),
                ],
                Some((
                    "Accept the invitation",
                    site.link(&format!("/#invite={}", token.expose())),
                )),
            )
        }
        AccountMail::Verify { name, token } => (
            "Confirm your e-mail address for Taskboard".to_owned(),
            format!("Hello {name},"),
            vec![
                "Follow the link to confirm this address; then you can sign in.".to_owned(),
                "The link works once and for 24 hours. If you did not sign up, ignore this e-mail.".to_owned(),
            ],
            Some((
                "Confirm my address",
                site.link(&format!("/#verify={}", token.expose())),
            )),
        ),
        AccountMail::Reconfirm { name, token } => (
            "Confirm your e-mail address to get Taskboard e-mail again".to_owned(),
            format!("Hello {name},"),
            vec![
                "Taskboard stopped e-mailing you about tasks because an earlier message to this address bounced or was reported as spam. You asked to confirm the address: follow the link and task e-mail starts again.".to_owned(),
                "The link works once and for 24 hours. If you did not ask, ignore this e-mail.".to_owned(),
            ],
            Some((
                "Confirm my address",
                site.link(&format!("/#verify={}", token.expose())),
            )),
        ),
        AccountMail::Reset { name, token } => (
            "Reset your Taskboard password".to_owned(),
            format!("Hello {name},"),
            vec![
                "Someone asked to reset the password of your Taskboard account. Follow the link to choose a new one; every session of your account will be signed out.".to_owned(),
                "The link works once and for 1 hour. If you did not ask, ignore this e-mail: your password stays as it is.".to_owned(),
            ],
            Some((
                "Choose a new password",
                site.link(&format!("/#reset={}", token.expose())),
            )),
        ),
        AccountMail::PasswordChanged { name } => (
            "Your Taskboard password was changed".to_owned(),
            format!("Hello {name},"),
            vec![
                "The password of your Taskboard account was just changed.".to_owned(),
                "If this was not you, reset your password now from the sign-in page and tell your administrator.".to_owned(),
            ],
            Some(("Open Taskboard", site.link("/"))),
        ),
        AccountMail::AlreadyRegistered { name } => (
            "Sign-up attempt for your Taskboard account".to_owned(),
            format!("Hello {name},"),
            vec![
                "Someone tried to sign up to Taskboard with this address, which already has an account.".to_owned(),
                "If it was you, sign in, or reset your password from the sign-in page. If not, ignore this e-mail.".to_owned(),
            ],
            Some(("Open Taskboard", site.link("/"))),
        ),
    };

    let mut text = format!("{greeting}\n\n");
    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b1f24\">",
    );
    let _ = write!(html, "<p>{}</p>", escape(&greeting));
    for line in &lines {
        let _ = write!(text, "{line}\n\n");
        let _ = write!(html, "<p>{}</p>", escape(line));
    }
    if let Some((label, link)) = &action {
        let _ = writeln!(text, "{label}: {link}");
        let _ = write!(
            html,
            "<p><a href=\"{}\">{}</a></p><p style=\"color:#57606a;font-size:.9em\">{}</p>",
            escape(link),
            escape(label),
            escape(link)
        );
    }
    html.push_str("</body></html>");
    Email {
        to: to.to_string(),
        subject: format!("[Taskboard] {subject}"),
        text,
        html,
    }
}

/// What the functions that send account e-mail read from the environment.
#[derive(Debug, Clone)]
pub struct AccountMailConfig {
    /// `SENDER_ADDRESS`: the verified SES identity account e-mail is sent from.
    pub sender: EmailAddress,
    /// `RATE_LIMITS_TABLE`: the abuse caps' counters.
    pub rate_limits_table: String,
    /// `ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR` (default 5): verification and reset e-mails to one
    /// address.
    pub per_address: RateLimit,
    /// `SES_CONFIGURATION_SET` (optional): reports bounces and complaints of account e-mail too.
    pub configuration_set: Option<String>,
    /// `OUTGOING_MAIL_TABLE`: when set (as deployed), account e-mail is queued there and the
    /// notifier sends it, so nothing in the VPC needs an SES endpoint. Unset: straight to SES (the
    /// functions' own tests; the local stack and the stack tests queue, as deployed).
    pub outgoing_mail_table: Option<String>,
}

impl AccountMailConfig {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        Ok(Self {
            sender: config::required_parsed(env, "SENDER_ADDRESS")?,
            rate_limits_table: config::required(env, crate::tables::RATE_LIMITS.env_var)?,
            per_address: RateLimit::per_hour(config::parsed_or(
                env,
                "ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR",
                5,
            )?),
            configuration_set: env.get("SES_CONFIGURATION_SET"),
            outgoing_mail_table: env.get(crate::tables::OUTGOING_MAIL.env_var),
        })
    }

    /// The rate limiter over the configured table.
    pub fn limiter(&self, dynamo: LazyClient<aws_sdk_dynamodb::Client>) -> RateLimiter {
        RateLimiter::new(dynamo, self.rate_limits_table.clone())
    }

    /// The account mailer for `site`.
    pub fn mailer(
        &self,
        site: SiteUrl,
        ses: LazyClient<aws_sdk_sesv2::Client>,
        dynamo: LazyClient<aws_sdk_dynamodb::Client>,
    ) -> AccountMailer {
        let out = match &self.outgoing_mail_table {
            Some(table) => MailOut::Queue(MailQueue::new(dynamo.clone(), table.clone())),
            None => MailOut::Ses(
                Mailer::new(ses, self.sender.clone())
                    .with_configuration_set(self.configuration_set.clone()),
            ),
        };
        AccountMailer::new(out, site, self.limiter(dynamo), self.per_address)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountMailError {
    #[error("account e-mail cap: {0}")]
    Cap(#[from] DynamoError),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("queueing account e-mail: {0}")]
    Queue(#[source] DynamoError),
}

/// Where account e-mail goes: the queue the notifier sends from (deployed), or SES directly.
#[derive(Clone)]
pub enum MailOut {
    Queue(MailQueue),
    Ses(Mailer),
}

/// Sends account e-mail, at most `per_address` an hour to any one address.
#[derive(Clone)]
pub struct AccountMailer {
    out: MailOut,
    site: SiteUrl,
    limiter: RateLimiter,
    per_address: RateLimit,
}

impl AccountMailer {
    pub fn new(out: MailOut, site: SiteUrl, limiter: RateLimiter, per_address: RateLimit) -> Self {
        Self {
            out,
            site,
            limiter,
            per_address,
        }
    }

    /// Count one account e-mail to `to` against its hourly cap, whether or not one is then sent
    /// (so the answer cannot tell whether the address has an account). `Some(secs)`: over the cap.
    pub async fn admit(&self, to: &EmailAddress) -> Result<Option<u64>, AccountMailError> {
        match self
            .limiter
            .hit("account-mail", to.as_str(), self.per_address)
            .await?
        {
            Admission::Allowed { .. } => Ok(None),
            Admission::Limited {
                retry_after_secs, ..
            } => Ok(Some(retry_after_secs)),
        }
    }

    /// Write and send `mail` to `to`.
    pub async fn send(
        &self,
        mail: &AccountMail<'_>,
        to: &EmailAddress,
    ) -> Result<(), AccountMailError> {
        let email = compose(mail, to, &self.site);
        match &self.out {
            MailOut::Queue(queue) => {
                let id = queue
                    .enqueue(&email)
                    .await
                    .map_err(AccountMailError::Queue)?;
                tracing::info!(mail_id = %id, "account e-mail queued");
            }
            MailOut::Ses(mailer) => {
                let id = mailer.send(&email).await?;
                tracing::info!(ses_message_id = %id, "account e-mail sent");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteUrl {
        SiteUrl::parse("https://tasks.example.com").unwrap()
    }

    #[test]
    fn an_invitation_escapes_what_people_typed_and_links_only_to_the_site() {
        let project = ProjectName::parse("<b>Apollo</b> & \"friends\"").unwrap();
        let inviter = DisplayName::parse("Eve <script>").unwrap();
        let token = SecretToken::generate().unwrap();
        let to = EmailAddress::parse("bob@example.com").unwrap();
        let mail = compose(
            &AccountMail::Invitation {
                project: Some(&project),
                inviter: Some(&inviter),
                role: ProjectRole::Member,
                token: &token,
            },
            &to,
            &site(),
        );
        assert_eq!(mail.to, "bob@example.com");
        assert!(!mail.html.contains("<b>Apollo") && !mail.html.contains("<script>"));
        assert!(
            mail.html
                .contains("&lt;b&gt;Apollo&lt;/b&gt; &amp; &quot;friends&quot;")
        );
        let link = format!("https://tasks.example.com/#invite={}", token.expose());
        assert!(mail.text.contains(&link) && mail.html.contains(&link));
        assert!(!mail.subject.contains('\n'));
        // Every link in the HTML body goes to the site.
        for href in mail.html.split("href=\"").skip(1) {
            assert!(href.starts_with("https://tasks.example.com/"), "{href}");
        }
    }

    #[test]
    fn reset_and_verify_links_carry_the_token_in_the_fragment() {
        let name = DisplayName::parse("Ada").unwrap();
        let token = SecretToken::generate().unwrap();
        let to = EmailAddress::parse("ada@example.com").unwrap();
        let reset = compose(
            &AccountMail::Reset {
                name: &name,
                token: &token,
            },
            &to,
            &site(),
        );
        assert!(reset.text.contains(&format!("/#reset={}", token.expose())));
        let verify = compose(
            &AccountMail::Verify {
                name: &name,
                token: &token,
            },
            &to,
            &site(),
        );
        assert!(
            verify
                .text
                .contains(&format!("/#verify={}", token.expose()))
        );
        let changed = compose(&AccountMail::PasswordChanged { name: &name }, &to, &site());
        assert!(!changed.text.contains(token.expose()));
    }
}
