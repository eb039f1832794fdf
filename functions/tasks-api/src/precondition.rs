//! `If-Match` on a write (`docs/decisions.md#6-optimistic-concurrency`).

use http::{HeaderMap, header};

/// The If-Match precondition of a write (`docs/decisions.md#6-optimistic-concurrency`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: the write applies to whatever version is current.
    None,
    /// `If-Match: *`.
    Any,
    /// Any of these versions (`If-Match: "3", "4"`).
    Versions(Vec<u32>),
    /// A precondition that can match no version (a weak or malformed tag).
    Never,
}

impl Precondition {
    /// `If-Match`: absent, `*`, or a list of strong entity tags (`"3"`). Weak tags never match.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(raw) = headers.get(header::IF_MATCH) else {
            return Self::None;
        };
        let Ok(raw) = raw.to_str() else {
            return Self::Never;
        };
        if raw.trim() == "*" {
            return Self::Any;
        }
        let versions: Vec<u32> = raw
            .split(',')
            .map(str::trim)
            .filter(|t| !t.starts_with("W/"))
            .filter_map(|t| t.strip_prefix('"')?.strip_suffix('"')?.parse::<u32>().ok())
            .collect();
        if versions.is_empty() {
            Self::Never
        } else {
            Self::Versions(versions)
        }
    }

    /// `If-Match` as a change through the API must send it: absent is refused (`428`), so no
    /// client overwrites a change it never saw by leaving the header out.
    pub fn required_from_headers(headers: &HeaderMap) -> Option<Self> {
        match Self::from_headers(headers) {
            Self::None => None,
            other => Some(other),
        }
    }

    /// Does a task at version `current` satisfy it?
    pub fn admits(&self, current: u32) -> bool {
        match self {
            Self::None | Self::Any => true,
            Self::Versions(v) => v.contains(&current),
            Self::Never => false,
        }
    }
}
