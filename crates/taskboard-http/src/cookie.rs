//! The session cookie the site's origin implies.

use http::{HeaderMap, HeaderValue, header};
use taskboard_domain::SiteUrl;

/// How the session cookie is written and read.
///
/// Over HTTPS it is `__Host-taskboard_session` with `Secure` (the prefix forbids a `Domain` and
/// demands `Path=/` and `Secure`, so a sibling sub-domain cannot plant or overwrite it). On plain
/// http://localhost browsers refuse `Secure` cookies, so the plain name is used there.
#[derive(Debug, Clone)]
pub struct CookiePolicy {
    secure: bool,
}

impl CookiePolicy {
    pub fn for_site(site: &SiteUrl) -> Self {
        Self {
            secure: site.is_https(),
        }
    }

    pub fn name(&self) -> &'static str {
        if self.secure {
            "__Host-taskboard_session"
        } else {
            "taskboard_session"
        }
    }

    /// `Set-Cookie` value carrying a new session token.
    pub fn issue(&self, token: &str, max_age_secs: u64) -> HeaderValue {
        self.header(token, max_age_secs)
    }

    /// `Set-Cookie` value that makes the browser forget the session.
    pub fn clear(&self) -> HeaderValue {
        self.header("", 0)
    }

    fn header(&self, value: &str, max_age_secs: u64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
            self.name()
        );
        // Token characters are base64url, so this never fails; fall back to clearing if it did.
        HeaderValue::from_str(&cookie)
            .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
    }

    /// The session token from the request's `Cookie` header(s), if any.
    pub fn read<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        let name = self.name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_attributes_follow_the_scheme() {
        let https = CookiePolicy::for_site(&SiteUrl::parse("https://t.example.com").unwrap());
        let v = https.issue("abc", 60);
        assert_eq!(
            v.to_str().unwrap(),
            "__Host-taskboard_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        let http = CookiePolicy::for_site(&SiteUrl::parse("http://127.0.0.1:3000").unwrap());
        assert_eq!(
            http.clear().to_str().unwrap(),
            "taskboard_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }

    #[test]
    fn reads_the_named_cookie_among_others() {
        let policy = CookiePolicy::for_site(&SiteUrl::parse("http://localhost:3000").unwrap());
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; taskboard_session=tok; b=2"),
        );
        assert_eq!(policy.read(&headers), Some("tok"));
        headers.clear();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("taskboard_session="),
        );
        assert_eq!(policy.read(&headers), None);
    }
}
