//! The site's public origin: where the browser, the `/api` routes and e-mail links live.

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
}
