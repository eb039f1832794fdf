//! Secret tokens: session cookies and the links in account e-mails (invitation, verification,
//! password reset) are all built alike (`docs/decisions.md#2-session-tokens`, §12): 256 random
//! bits, base64url without padding, and only SHA-256 of the token is ever stored.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A secret token as the cookie or the link carries it. Never printed: `Debug` shows
/// `[redacted]`, and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no randomness available: {0}")]
pub struct RandomError(String);

impl SecretToken {
    const BYTES: usize = 32;
    const ENCODED_LEN: usize = 43;

    pub fn generate() -> Result<Self, RandomError> {
        let mut bytes = [0u8; Self::BYTES];
        getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Accept a value only if it has the exact shape of a token we issue.
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() == Self::ENCODED_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| Self(raw.to_owned()))
    }

    /// A session cookie's value, if it has the shape of a token.
    pub fn from_cookie(raw: &str) -> Option<Self> {
        Self::parse(raw)
    }

    /// The value to put in the cookie or the link.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The storage key: hex SHA-256 of the token. A leaked table does not leak tokens.
    pub fn storage_id(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_hashed_for_storage() {
        let token = SecretToken::generate().unwrap();
        assert_eq!(token.expose().len(), 43);
        assert_eq!(token.storage_id().len(), 64);
        assert_ne!(token.storage_id(), token.expose());
        assert_eq!(SecretToken::parse(token.expose()), Some(token.clone()));
        assert_eq!(format!("{token:?}"), "SecretToken([redacted])");
        assert_ne!(SecretToken::generate().unwrap(), token);
    }

    #[test]
    fn values_of_the_wrong_shape_are_ignored() {
        assert!(SecretToken::parse("short").is_none());
        assert!(SecretToken::parse(&"a".repeat(42)).is_none());
        assert!(SecretToken::parse(&format!("{}=", "a".repeat(42))).is_none());
        assert!(SecretToken::parse(&format!("{}/", "a".repeat(42))).is_none());
        assert!(SecretToken::parse(&"a".repeat(43)).is_some());
    }
}
