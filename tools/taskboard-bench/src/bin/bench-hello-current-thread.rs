//! The second cold-start floor: the same hello-world function on a current-thread runtime, as the
//! real functions run (docs/performance.md, section 7), so their ratio can be read against both.

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_event: LambdaEvent<serde_json::Value>| async {
        Ok::<_, Error>(serde_json::json!({ "hello": "world" }))
    }))
    .await
}
