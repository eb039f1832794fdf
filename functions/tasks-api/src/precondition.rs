//! `If-Match` on a write (`docs/decisions.md#6-optimistic-concurrency`).

use http::{HeaderMap, header};
use taskboard_http::ApiError;

/// The If-Match precondition of a write (`docs/decisions.md#6-optimistic-concurrency`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: the write applies to whatever version is current.
    None,
    /// `If-Match: *`.
    Any,
    /// Any of these versions (`If-Match: "3", "4"`).
    Versions(Vec<u32>),
    /// Entity tags that name no version of ours (a weak tag, `"x"`): they match nothing.
    Never,
}

/// An `If-Match` that is neither `*` nor a list of entity tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

impl Precondition {
    /// `If-Match` as RFC 9110 writes it: absent, `*`, or a comma-separated list of entity tags
    /// (`"3"`, `W/"3"`). A strong tag that spells a version (`"3"`, as our `ETag`s do) can match;
    /// weak tags and other opaque tags never do (strong comparison). Several `If-Match` lines are
    /// one list. Anything else is [`Malformed`].
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, Malformed> {
        let mut fields = headers.get_all(header::IF_MATCH).iter().peekable();
        if fields.peek().is_none() {
            return Ok(Self::None);
        }
        let mut versions = Vec::new();
        for field in fields {
            let value = trim_ows(field.as_bytes());
            if value == b"*" {
                return Ok(Self::Any);
            }
            versions.extend(entity_tags(value)?.into_iter().filter_map(version_of));
        }
        Ok(if versions.is_empty() {
            Self::Never
        } else {
            Self::Versions(versions)
        })
    }

    /// `If-Match` as a change through the API must send it: absent is refused (`428`), so no
    /// client overwrites a change it never saw by leaving the header out; malformed is a `400`.
    pub fn required_from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        match Self::from_headers(headers) {
            Ok(Self::None) => Err(ApiError::PreconditionRequired),
            Ok(other) => Ok(other),
            Err(Malformed) => Err(ApiError::BadRequest(
                "If-Match must be * or a list of entity tags, such as \"3\" (the task's ETag)"
                    .into(),
            )),
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

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = value
        && is_ows(*first)
    {
        value = rest;
    }
    while let [rest @ .., last] = value
        && is_ows(*last)
    {
        value = rest;
    }
    value
}

/// One entity tag as written, weak or strong, with its opaque part.
struct Tag<'a> {
    weak: bool,
    opaque: &'a [u8],
}

/// `entity-tag *( OWS "," OWS entity-tag )`, where `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE`
/// and `etagc` is a visible ASCII character other than `"`.
fn entity_tags(value: &[u8]) -> Result<Vec<Tag<'_>>, Malformed> {
    let mut tags = Vec::new();
    let mut rest = value;
    loop {
        let (weak, after) = match rest.strip_prefix(b"W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let quoted = after.strip_prefix(b"\"").ok_or(Malformed)?;
        let end = quoted.iter().position(|b| *b == b'"').ok_or(Malformed)?;
        let opaque = &quoted[..end];
        if !opaque.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(Malformed);
        }
        tags.push(Tag { weak, opaque });
        rest = trim_ows(&quoted[end + 1..]);
        if rest.is_empty() {
            return Ok(tags);
        }
        rest = trim_ows(rest.strip_prefix(b",").ok_or(Malformed)?);
    }
}

/// The version a strong tag names, spelled as our `ETag`s spell it (`"3"`: no sign, no leading
/// zero); strong comparison matches nothing else.
fn version_of(tag: Tag<'_>) -> Option<u32> {
    let digits = tag.opaque;
    let canonical = !tag.weak
        && !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && (digits.len() == 1 || digits[0] != b'0');
    canonical
        .then(|| std::str::from_utf8(digits).ok()?.parse().ok())
        .flatten()
}
