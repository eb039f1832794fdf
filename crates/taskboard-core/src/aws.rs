//! AWS SDK configuration, loaded once per process.
//!
//! Nothing here special-cases local runs: the SDK itself honours `AWS_ENDPOINT_URL`, which the
//! local stack points at the emulator, and `AWS_REGION` plus the credential chain as on Lambda.

use aws_config::{BehaviorVersion, SdkConfig};

/// Load the shared SDK configuration from the environment. This does no network I/O when the
/// region and credentials come from environment variables, as they do on Lambda.
pub async fn load_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}
