//! Who may create an account without an invitation (`SIGNUP_POLICY`;
//! `docs/decisions.md#12-account-tokens`).

use std::fmt;

use crate::EmailAddress;

/// The sign-up policy. Outside `Invite`, an account signs in only after its address is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupPolicy {
    /// Only through invitations: the default wherever the site is reachable from the internet.
    Invite,
    /// Anyone with a verified address at one of these domains (lower-case, no `@`).
    Domains(Vec<String>),
    /// Anyone with a verified address.
    Open,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be invite, open, or domains:<domain>[,<domain>…]")]
pub struct SignupPolicyError;

impl SignupPolicy {
    /// `invite`, `open` or `domains:example.com,example.org`.
    pub fn parse(raw: &str) -> Result<Self, SignupPolicyError> {
        match raw.trim() {
            "invite" => Ok(Self::Invite),
            "open" => Ok(Self::Open),
            other => {
                let list = other.strip_prefix("domains:").ok_or(SignupPolicyError)?;
                let domains: Vec<String> = list
                    .split(',')
                    .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                    .filter(|d| !d.is_empty())
                    .collect();
                let valid = |d: &String| {
                    d.contains('.')
                        && d.split('.').all(|label| {
                            !label.is_empty()
                                && label
                                    .bytes()
                                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        })
                };
                if domains.is_empty() || !domains.iter().all(valid) {
                    return Err(SignupPolicyError);
                }
                Ok(Self::Domains(domains))
            }
        }
    }

    /// May `email` sign up on its own (then verify)?
    pub fn admits(&self, email: &EmailAddress) -> bool {
        match self {
            Self::Invite => false,
            Self::Open => true,
            Self::Domains(domains) => domains.iter().any(|d| d == email.domain()),
        }
    }
}

impl std::str::FromStr for SignupPolicy {
    type Err = SignupPolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for SignupPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invite => f.write_str("invite"),
            Self::Open => f.write_str("open"),
            Self::Domains(d) => write!(f, "domains:{}", d.join(",")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &str) -> EmailAddress {
        EmailAddress::parse(raw).unwrap()
    }

    #[test]
    fn each_policy_admits_what_it_names() {
        assert!(!SignupPolicy::Invite.admits(&email("a@example.com")));
        assert!(SignupPolicy::Open.admits(&email("a@anything.org")));
        let p = SignupPolicy::parse("domains: Example.com, @corp.example ").unwrap();
        assert_eq!(p.to_string(), "domains:example.com,corp.example");
        assert!(p.admits(&email("ada@EXAMPLE.com")));
        assert!(p.admits(&email("bob@corp.example")));
        // A suffix is not the domain: no sign-ups from evil-example.com or example.com.evil.
        assert!(!p.admits(&email("eve@evil-example.com")));
        assert!(!p.admits(&email("eve@sub.example.com")));
    }

    #[test]
    fn bad_policies_are_refused() {
        for bad in [
            "",
            "closed",
            "domains:",
            "domains:,",
            "domains:localhost",
            "domains:a..b",
        ] {
            assert_eq!(SignupPolicy::parse(bad), Err(SignupPolicyError), "{bad:?}");
        }
    }
}
