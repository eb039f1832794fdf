//! The cold-start floor: a lambda_runtime function that answers `{"hello":"world"}`, built with
//! the same profile and toolchain as the real functions.

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_event: LambdaEvent<serde_json::Value>| async {
        Ok::<_, Error>(serde_json::json!({ "hello": "world" }))
    }))
    .await
}
