//! What every function's router gets around its routes.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

use taskboard_domain::SiteUrl;

use crate::origin::{OriginSecrets, origin_guard};
use crate::{ApiError, csrf_guard, request_log};

/// Wrap a function's routes with the shared edge: problem+json for unknown routes and methods,
/// the CSRF guard, the check that the request came through the site (`origin`), and the
/// one-line-per-request log (outermost, so it sees every answer).
///
/// The CSRF guard stands in front of the handlers only: a request no handler takes (an unknown
/// path, or a method its route does not have) changes nothing, so it is answered 404, or 405 with
/// `Allow`, whatever its headers, as the OpenAPI document says. The guard is layered before the
/// fallbacks are set, which keeps them outside it (setting a route's 405 fallback replaces its
/// default one, layer and all); `tests/api/contract.rs` in tasks-api holds both sides of this.
pub fn finish<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    site: SiteUrl,
    origin: OriginSecrets,
    state: S,
) -> Router {
    routes
        .route_layer(from_fn_with_state(site, csrf_guard))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(from_fn_with_state(origin, origin_guard))
        .layer(from_fn(request_log))
        .with_state(state)
}
