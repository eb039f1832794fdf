//! The API only through the site: CloudFront adds a secret header to every request it forwards to
//! API Gateway (`X-Origin-Verify`), and with `ORIGIN_VERIFY_SECRETS` set both functions refuse any
//! request without it, before routing: calling the `execute-api` endpoint directly gets `403`.
//! This is also what makes the client-address header (`CLIENT_IP_HEADER`) trustworthy: only
//! CloudFront can have set it, so a caller cannot forge a fresh sign-in throttle budget.
//!
//! The variable holds the current secret and, while rotating, the previous one (comma-separated),
//! so the functions accept both while CloudFront's distribution switches over (docs/operations.md,
//! "Rotate the origin secret"). Unset (the local stack), every request passes.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use taskboard_core::config::{ConfigError, Env};

use crate::ApiError;

/// The header CloudFront adds (`OriginCustomHeaders` in `infra/template.yaml`).
pub const ORIGIN_HEADER: &str = "x-origin-verify";
/// Secrets shorter than this are refused at start-up: the header must not be guessable.
pub const MIN_SECRET_LEN: usize = 32;

/// The accepted origin secrets; none means the check is off.
#[derive(Clone, Default)]
pub struct OriginSecrets(Arc<Vec<Vec<u8>>>);

impl std::fmt::Debug for OriginSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OriginSecrets({} configured)", self.0.len())
    }
}

impl OriginSecrets {
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let Some(raw) = env.get("ORIGIN_VERIFY_SECRETS") else {
            return Ok(Self::default());
        };
        let mut secrets = Vec::new();
        for secret in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if secret.len() < MIN_SECRET_LEN || !secret.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ConfigError::Invalid {
                    name: "ORIGIN_VERIFY_SECRETS",
                    reason: format!(
                        "each secret must be at least {MIN_SECRET_LEN} printable ASCII characters"
                    ),
                });
            }
            secrets.push(secret.as_bytes().to_vec());
        }
        Ok(Self(Arc::new(secrets)))
    }

    /// Is the check on?
    pub fn enabled(&self) -> bool {
        !self.0.is_empty()
    }

    /// Does a request carrying `presented` come through our edge?
    pub fn admits(&self, presented: Option<&[u8]>) -> bool {
        if !self.enabled() {
            return true;
        }
        let Some(presented) = presented else {
            return false;
        };
        // Compare with every secret, in time that depends only on the lengths.
        self.0.iter().fold(false, |found, secret| {
            found | constant_time_eq(secret, presented)
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The layer: `403` for a request that did not come through the site.
pub async fn origin_guard(
    State(secrets): State<OriginSecrets>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(ORIGIN_HEADER)
        .map(|value| value.as_bytes());
    if secrets.admits(presented) {
        next.run(request).await
    } else {
        tracing::warn!("request did not come through the site's CloudFront distribution");
        ApiError::Forbidden("Use the site's address: the API is not reachable directly.".into())
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(value: &'static str) -> impl Fn(&str) -> Option<String> {
        move |name: &str| (name == "ORIGIN_VERIFY_SECRETS").then(|| value.to_owned())
    }

    const CURRENT: &str = "0123456789abcdef0123456789abcdef-current";
    const PREVIOUS: &str = "0123456789abcdef0123456789abcdef-previous";

    #[test]
    fn off_when_unset_and_then_everything_passes() {
        let secrets = OriginSecrets::from_env(&|_: &str| None).unwrap();
        assert!(!secrets.enabled());
        assert!(secrets.admits(None));
    }

    #[test]
    fn the_current_and_the_previous_secret_pass_while_rotating() {
        let secrets = OriginSecrets::from_env(&env(
            "0123456789abcdef0123456789abcdef-current, 0123456789abcdef0123456789abcdef-previous,",
        ))
        .unwrap();
        assert!(secrets.admits(Some(CURRENT.as_bytes())));
        assert!(secrets.admits(Some(PREVIOUS.as_bytes())));
        assert!(!secrets.admits(None));
        assert!(!secrets.admits(Some(b"")));
        assert!(!secrets.admits(Some(&CURRENT.as_bytes()[..CURRENT.len() - 1])));
        assert!(!secrets.admits(Some(b"0123456789abcdef0123456789abcdef-currenT")));
    }

    #[test]
    fn a_short_or_odd_secret_is_a_configuration_error() {
        assert!(OriginSecrets::from_env(&env("too-short")).is_err());
        assert!(
            OriginSecrets::from_env(&env("0123456789abcdef0123456789abcdef with space")).is_err()
        );
    }
}
