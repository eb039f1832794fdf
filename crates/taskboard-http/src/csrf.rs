//! CSRF defence for state-changing requests.
//!
//! `SameSite=Strict` keeps the cookie off cross-site requests in current browsers, but it is not
//! a CSRF defence on its own (same-site sibling domains, old browsers). So every unsafe method must
//! also carry a non-simple header, which a cross-origin page cannot add without a CORS preflight
//! that this API never grants, and if the browser says where the request came from (`Origin`,
//! `Sec-Fetch-Site`) that must be this site.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::Method;

use taskboard_domain::SiteUrl;

use crate::ApiError;

/// The header the web site sends on every state-changing request.
pub const CSRF_HEADER: &str = "x-requested-with";

/// Middleware: reject unsafe requests that could come from another site.
pub async fn csrf_guard(State(site): State<SiteUrl>, req: Request, next: Next) -> Response {
    match check(&site, &req) {
        Ok(()) => next.run(req).await,
        Err(reason) => {
            tracing::warn!(reason, "cross-site request rejected");
            ApiError::CsrfRejected(reason).into_response()
        }
    }
}

fn check(site: &SiteUrl, req: &Request) -> Result<(), &'static str> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let headers = req.headers();
    let has_marker = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().is_empty());
    if !has_marker {
        return Err("state-changing requests must send the X-Requested-With header");
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return Err("the browser reports a cross-site request");
    }
    if let Some(origin) = headers.get(http::header::ORIGIN)
        && !origin
            .as_bytes()
            .eq_ignore_ascii_case(site.origin().as_bytes())
    {
        return Err("the request's Origin is not this site");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, headers: &[(&'static str, &'static str)]) -> Request {
        let mut builder = http::Request::builder().method(method).uri("/api/x");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn safe_methods_pass_without_marker() {
        let site = SiteUrl::parse("https://t.example.com").unwrap();
        assert!(check(&site, &req(Method::GET, &[])).is_ok());
    }

    #[test]
    fn unsafe_methods_need_marker_and_matching_origin() {
        let site = SiteUrl::parse("https://t.example.com").unwrap();
        assert!(check(&site, &req(Method::POST, &[])).is_err());
        assert!(
            check(
                &site,
                &req(Method::POST, &[("x-requested-with", "taskboard")])
            )
            .is_ok()
        );
        assert!(
            check(
                &site,
                &req(
                    Method::DELETE,
                    &[
                        ("x-requested-with", "x"),
                        ("origin", "https://evil.example")
                    ]
                )
            )
            .is_err()
        );
        assert!(
            check(
                &site,
                &req(
                    Method::PATCH,
                    &[
                        ("x-requested-with", "x"),
                        ("origin", "https://t.example.com")
                    ]
                )
            )
            .is_ok()
        );
        assert!(
            check(
                &site,
                &req(
                    Method::POST,
                    &[("x-requested-with", "x"), ("sec-fetch-site", "cross-site")]
                )
            )
            .is_err()
        );
    }
}
