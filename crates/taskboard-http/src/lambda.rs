//! Serving a router on Lambda, with work that must happen at the start of every invocation.

use std::future::Future;

use axum::Router;
use tower::ServiceExt;

/// Run `app` under `lambda_http`, awaiting `before` at the start of each invocation. Lambda
/// freezes the process between invocations, so time-based upkeep (signing a fresh database token)
/// cannot run on a timer; it runs here. A failure of `before` is logged, and the request still
/// runs: a route that needs no database still answers, one that does fails as it would anyway.
pub async fn run_lambda<F, Fut, E>(app: Router, before: F) -> Result<(), lambda_http::Error>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    lambda_http::run(lambda_http::service_fn(
        move |request: lambda_http::Request| {
            let (app, before) = (app.clone(), before.clone());
            async move {
                if let Err(err) = before().await {
                    tracing::error!(error = %err, "invocation upkeep failed");
                }
                app.oneshot(request).await
            }
        },
    ))
    .await
}
