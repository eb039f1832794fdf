//! IAM database authentication: the password a function sends is a token it signs itself with its
//! execution role (SigV4, service `rds-db`, valid 15 minutes), so no database password exists in
//! any environment, and nothing is fetched from Secrets Manager at run time.
//!
//! The token is what `aws rds generate-db-auth-token` prints: a presigned
//! `https://HOST:PORT/?Action=connect&DBUser=USER` request without its scheme. RDS and RDS Proxy
//! accept it only over TLS and through the cleartext authentication plugin, which
//! [`crate::connect`] switches on.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;

/// How long a token is accepted for. RDS fixes it at 15 minutes; connections made with it stay
/// open after it expires, only new ones need a fresh token.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(900);

/// A token that could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no AWS credentials to sign a database token with: {0}")]
    Credentials(String),
    #[error("signing the database token failed: {0}")]
    Signing(String),
}

/// Where and as whom a token lets a function connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenTarget {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub region: String,
}

/// Sign a token for `target` with `credentials` at `now`.
pub fn auth_token(
    target: &TokenTarget,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<String, TokenError> {
    let identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(TOKEN_LIFETIME);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&target.region)
        .name("rds-db")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| TokenError::Signing(e.to_string()))?
        .into();
    // The user name is checked to be [A-Za-z0-9_] by the configuration: nothing to encode.
    let url = format!(
        "https://{}:{}/?Action=connect&DBUser={}",
        target.host, target.port, target.user
    );
    let signable = SignableRequest::new("GET", &url, std::iter::empty(), SignableBody::Bytes(&[]))
        .map_err(|e| TokenError::Signing(e.to_string()))?;
    let (instructions, _signature) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|e| TokenError::Signing(e.to_string()))?
        .into_parts();
    let mut request = http::Request::builder()
        .uri(&url)
        .body(())
        .map_err(|e| TokenError::Signing(e.to_string()))?;
    instructions.apply_to_request_http1x(&mut request);
    let signed = request.uri().to_string();
    Ok(signed
        .strip_prefix("https://")
        .unwrap_or(&signed)
        .to_owned())
}

/// The function's own credentials, from the SDK's chain (on Lambda: its environment).
pub async fn current_credentials() -> Result<Credentials, TokenError> {
    use aws_credential_types::provider::ProvideCredentials;
    let config = taskboard_core::aws::shared_config().await;
    let provider = config
        .credentials_provider()
        .ok_or_else(|| TokenError::Credentials("the SDK has no credential provider".into()))?;
    provider
        .provide_credentials()
        .await
        .map_err(|e| TokenError::Credentials(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> TokenTarget {
        TokenTarget {
            host: "taskboard-mysql.proxy-abc123.eu-west-1.rds.amazonaws.com".into(),
            port: 3306,
            user: "taskboard_app".into(),
            region: "eu-west-1".into(),
        }
    }

    fn credentials() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("session-token/with+chars=".into()),
            None,
            "test",
        )
    }

    /// The same token botocore's `generate_db_auth_token` (an independent implementation) signs
    /// for these credentials at 2026-11-24T12:00:00Z; recomputed with
    /// `infra/tests/rds_token_vector.py`. The order of the query's parameters is free (RDS sorts
    /// them before checking the signature); botocore puts the session token before the
    /// signature, the Rust SDK after it.
    #[test]
    fn the_token_is_the_one_the_aws_cli_would_sign() {
        fn parts(token: &str) -> (&str, std::collections::BTreeSet<&str>) {
            let (base, query) = token.split_once('?').unwrap_or((token, ""));
            (base, query.split('&').collect())
        }
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_521_600);
        let token = auth_token(&target(), &credentials(), at).unwrap();
        let expected = include_str!("iam_token_vector.txt").trim();
        assert_eq!(parts(&token), parts(expected));
        assert!(token.contains(
            "X-Amz-Signature=91cb9c5e47fefd05671d671039211dbaeae66fd1032e3e6f73f57f3bbb6399ad"
        ));
    }

    #[test]
    fn a_token_names_its_host_user_and_fifteen_minutes() {
        let token = auth_token(&target(), &credentials(), SystemTime::now()).unwrap();
        assert!(token.starts_with(
            "taskboard-mysql.proxy-abc123.eu-west-1.rds.amazonaws.com:3306/?Action=connect&DBUser=taskboard_app&"
        ));
        assert!(token.contains("X-Amz-Expires=900"));
        assert!(token.contains("%2Feu-west-1%2Frds-db%2Faws4_request"));
        assert!(token.contains("X-Amz-Security-Token="));
        assert!(
            !token.contains("wJalrXUtnFEMI"),
            "the secret key never leaves the signer"
        );
    }
}
