//! Passwords: the rules a new one must meet, and argon2id hashing (`docs/decisions.md#3-passwords-and-sign-in-throttling`).
//!
//! Rules per OWASP ASVS: 8–128 characters, any characters, no composition rules, and not one of
//! the 10,000 most common passwords. Hashing is argon2id with m=19456 KiB, t=2, p=1, run on the
//! blocking pool so it never stalls the async runtime, and bounded in parallelism so a burst of
//! sign-ins cannot exhaust memory.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version,
};
use password_hash::SaltString;
use password_hash::rand_core::OsRng;
use tokio::sync::{OnceCell, Semaphore};

/// A password that meets the rules for a new account. Never printed.
pub struct NewPassword(String);

/// A password as typed at sign-in: only bounded, never judged by today's rules.
pub struct LoginPassword(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password is required")]
    Empty,
    #[error("password must be at least 8 characters")]
    TooShort,
    #[error("password must be at most 128 characters")]
    TooLong,
    #[error("this password is too common; choose one that is harder to guess")]
    Common,
}

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

impl NewPassword {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: String) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(PasswordError::Empty);
        }
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if COMMON.contains(raw.to_lowercase().as_str()) {
            return Err(PasswordError::Common);
        }
        Ok(Self(raw))
    }
}

impl LoginPassword {
    /// Longer than any password we accept at sign-up, with room for older rules. Counted in
    /// characters, like every length in the API (docs/openapi.json's `maxLength`).
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(raw: String) -> Result<Self, PasswordError> {
        if raw.is_empty() {
            return Err(PasswordError::Empty);
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw))
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

impl fmt::Debug for LoginPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoginPassword([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Match,
    /// Matches, but the stored hash uses older parameters: store this new hash.
    MatchRehashed(String),
    NoMatch,
}

/// argon2id hashing on the blocking pool, at most `parallelism` hashes at once.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<OnceCell<String>>,
    verifications: Arc<AtomicU64>,
}

fn argon2() -> Result<Argon2<'static>, HashError> {
    // OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19_456, 2, 1, None).map_err(|e| HashError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &[u8]) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn verify_blocking(password: &[u8], stored: &str) -> Result<Verdict, HashError> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        // An unreadable stored hash can never match; say so rather than fail the request.
        tracing::error!("stored password hash is not a valid PHC string");
        return Ok(Verdict::NoMatch);
    };
    let argon = argon2()?;
    if argon.verify_password(password, &parsed).is_err() {
        return Ok(Verdict::NoMatch);
    }
    let wanted = argon.params();
    let up_to_date = parsed.algorithm == Algorithm::Argon2id.ident()
        && Params::try_from(&parsed).is_ok_and(|p| {
            (p.m_cost(), p.t_cost(), p.p_cost())
                == (wanted.m_cost(), wanted.t_cost(), wanted.p_cost())
        });
    if up_to_date {
        Ok(Verdict::Match)
    } else {
        hash_blocking(password).map(Verdict::MatchRehashed)
    }
}

impl PasswordHasher {
    pub fn new(parallelism: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
            dummy_hash: Arc::new(OnceCell::new()),
            verifications: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many argon2id verifications this hasher has run (real and dummy alike).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    pub async fn hash(&self, password: &NewPassword) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
        let bytes = password.0.clone().into_bytes();
        tokio::task::spawn_blocking(move || hash_blocking(&bytes)).await?
    }

    /// Check `password` against `stored`, or against a dummy hash when there is no such user, so
    /// that an unknown e-mail costs the same time as a wrong password.
    pub async fn verify(
        &self,
        password: &LoginPassword,
        stored: Option<&str>,
    ) -> Result<Verdict, HashError> {
        let dummy = self
            .dummy_hash
            .get_or_try_init(|| async {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|e| HashError::Hash(e.to_string()))?;
                tokio::task::spawn_blocking(|| {
                    hash_blocking(b"taskboard dummy password for timing")
                })
                .await?
            })
            .await?;
        let (stored, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (dummy.clone(), false),
        };
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))?;
        let bytes = password.0.clone().into_bytes();
        let verdict =
            tokio::task::spawn_blocking(move || verify_blocking(&bytes, &stored)).await??;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        Ok(if real { verdict } else { Verdict::NoMatch })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_count_characters_not_bytes() {
        assert_eq!(
            NewPassword::parse(String::new()).err(),
            Some(PasswordError::Empty)
        );
        assert_eq!(
            NewPassword::parse("short1!".into()).err(),
            Some(PasswordError::TooShort)
        );
        assert!(NewPassword::parse("ééééééé€".into()).is_ok());
        assert!(NewPassword::parse("x".repeat(128)).is_ok());
        assert_eq!(
            NewPassword::parse("x".repeat(129)).err(),
            Some(PasswordError::TooLong)
        );
    }

    /// The document's `maxLength: 1024` for a typed password counts characters, as the API does
    /// (it counted bytes: 300 characters of `é` were refused although the document allowed them).
    #[test]
    fn a_typed_password_is_bounded_in_characters() {
        assert!(LoginPassword::parse("é".repeat(1024)).is_ok());
        assert_eq!(
            LoginPassword::parse("é".repeat(1025)).err(),
            Some(PasswordError::TooLong)
        );
        assert_eq!(
            LoginPassword::parse(String::new()).err(),
            Some(PasswordError::Empty)
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        for common in ["password", "PASSWORD", "12345678", "iloveyou", "Qwertyuiop"] {
            assert_eq!(
                NewPassword::parse(common.into()).err(),
                Some(PasswordError::Common),
                "{common}"
            );
        }
        assert!(NewPassword::parse("correct horse battery staple".into()).is_ok());
    }

    #[test]
    fn no_composition_rules() {
        assert!(NewPassword::parse("onlylowercaseletters".into()).is_ok());
        assert!(NewPassword::parse("        spaces count".into()).is_ok());
    }

    #[test]
    fn passwords_never_print() {
        let p = NewPassword::parse("correct horse battery staple".into()).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hasher = PasswordHasher::new(2);
        let pw = NewPassword::parse("correct horse battery staple".into()).unwrap();
        let hash = hasher.hash(&pw).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let right = LoginPassword::parse("correct horse battery staple".into()).unwrap();
        let wrong = LoginPassword::parse("correct horse battery stapler".into()).unwrap();
        assert_eq!(
            hasher.verify(&right, Some(&hash)).await.unwrap(),
            Verdict::Match
        );
        assert_eq!(
            hasher.verify(&wrong, Some(&hash)).await.unwrap(),
            Verdict::NoMatch
        );
        assert_eq!(hasher.verify(&right, None).await.unwrap(), Verdict::NoMatch);
        assert_eq!(
            hasher.verify(&right, Some("not a hash")).await.unwrap(),
            Verdict::NoMatch
        );
    }

    #[tokio::test]
    async fn weaker_stored_hashes_are_upgraded_on_sign_in() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let old = weak
            .hash_password(b"correct horse battery staple", &salt)
            .unwrap()
            .to_string();
        let hasher = PasswordHasher::new(1);
        let right = LoginPassword::parse("correct horse battery staple".into()).unwrap();
        match hasher.verify(&right, Some(&old)).await.unwrap() {
            Verdict::MatchRehashed(new) => {
                assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"))
            }
            other => panic!("expected a rehash, got {other:?}"),
        }
    }
}
