//! What every function's router gets around its routes.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

use taskboard_domain::SiteUrl;

use crate::origin::{OriginSecrets, origin_guard};
use crate::{ApiError, csrf_guard, request_log};

/// Wrap a function's routes with the shared edge: problem+json for unknown routes and methods,
/// the CSRF guard, the check that the request came through the site (`origin`), and the
/// one-line-per-request log (outermost, so it sees every answer).
pub fn finish<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    site: SiteUrl,
    origin: OriginSecrets,
    state: S,
) -> Router {
    routes
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(from_fn_with_state(site, csrf_guard))
        .layer(from_fn_with_state(origin, origin_guard))
        .layer(from_fn(request_log))
        .with_state(state)
}
