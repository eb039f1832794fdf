//! The site's origin and the session cookie it implies.

use http::{HeaderMap, HeaderValue, header};

/// The public origin of the site (`https://tasks.example.com`, `http://127.0.0.1:3000`).
/// The browser, the `/api` routes and e-mail links all share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl {
    origin: String,
    secure: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteUrlError {
    #[error("must start with https:// (or http:// for a local run)")]
    Scheme,
    #[error("must name a host")]
    Host,
    #[error("must be an origin only, with no path, query or fragment")]
    Path,
}

impl SiteUrl {
    pub fn parse(raw: &str) -> Result<Self, SiteUrlError> {
        let raw = raw.trim();
        let (secure, rest) = if let Some(rest) = raw.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = raw.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(SiteUrlError::Scheme);
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return Err(SiteUrlError::Host);
        }
        if rest.contains(['/', '?', '#', '@', ' ']) {
            return Err(SiteUrlError::Path);
        }
        let scheme = if secure { "https" } else { "http" };
        Ok(Self {
            origin: format!("{scheme}://{}", rest.to_ascii_lowercase()),
            secure,
        })
    }

    /// `scheme://host[:port]`, exactly as browsers send it in the `Origin` header.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn is_https(&self) -> bool {
        self.secure
    }

    /// An absolute link to a path on the site (`path` starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.origin, path)
    }
}

impl std::str::FromStr for SiteUrl {
    type Err = SiteUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

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
    fn site_url_is_an_origin() {
        let site = SiteUrl::parse("https://Tasks.Example.com/").unwrap();
        assert_eq!(site.origin(), "https://tasks.example.com");
        assert!(site.is_https());
        assert_eq!(
            site.link("/#/tasks/1"),
            "https://tasks.example.com/#/tasks/1"
        );
        assert_eq!(SiteUrl::parse("ftp://x"), Err(SiteUrlError::Scheme));
        assert_eq!(SiteUrl::parse("https://x/app"), Err(SiteUrlError::Path));
        assert_eq!(SiteUrl::parse("http://"), Err(SiteUrlError::Host));
    }

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
