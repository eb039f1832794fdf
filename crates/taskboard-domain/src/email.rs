use std::fmt;

/// An e-mail address in its one canonical form: trimmed, ASCII, lower-case.
///
/// Every spelling of an address a person would take for the same one (`ADA@…`, ` ada@… `, the
/// full-width `ａｄａ@…` a phone keyboard may type) parses to the same value, and that value is
/// what the users table stores and compares byte for byte (`utf8mb4_bin`), so an account, its
/// sign-in throttle and its uniqueness all share one key. Any other non-ASCII character is
/// refused: SES delivers only to 7-bit ASCII local parts (it has no SMTPUTF8), so an account at
/// `ádá@…` could never receive its mail, and refusing it leaves no accent for a collation to fold.
///
/// The rules are deliberately practical rather than a full RFC 5322 grammar: one `@`, a local part
/// of 1–64 printable characters without spaces or quotes, and a domain of dot-separated labels
/// (letters, digits, hyphens; no leading or trailing hyphen) with at least one dot, 254 characters
/// at most overall (RFC 5321's limit on a forward path).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("e-mail address is required")]
    Empty,
    #[error("e-mail address is longer than 254 characters")]
    TooLong,
    #[error("e-mail address must have the form name@example.com")]
    Malformed,
    #[error(
        "e-mail address must use plain letters (no accents or other scripts): we cannot deliver to it"
    )]
    NotAscii,
}

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let canonical: String = raw.chars().map(fold_full_width).collect();
        let canonical = canonical.trim();
        if canonical.is_empty() {
            return Err(EmailError::Empty);
        }
        if canonical.len() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if !canonical.is_ascii() {
            return Err(EmailError::NotAscii);
        }
        let normalised = canonical.to_ascii_lowercase();
        let (local, domain) = normalised.split_once('@').ok_or(EmailError::Malformed)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(normalised))
    }

    /// The part after the `@`, e.g. `example.com`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The full-width forms of ASCII (U+FF01–U+FF5E, and the ideographic space) as the ASCII they
/// stand for: the compatibility mapping NFKC applies to them, without its tables.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn valid_local(local: &str) -> bool {
    (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2)
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for EmailAddress {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn accepts_plus_addressing_and_subdomains() {
        assert!(EmailAddress::parse("ada+tasks@mail.example.co.uk").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@@example.com",
            "ada@exa mple.com",
            "a da@example.com",
            ".ada@example.com",
            "ada.@example.com",
            "a..da@example.com",
            "ada@-example.com",
            "ada@example.c0m",
            "ada@example..com",
            "<script>@example.com",
            "ada\u{0}@example.com",
            "\"ada\"@example.com",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rejects_empty_and_overlong() {
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(200));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long_local), Err(EmailError::Malformed));
    }

    #[test]
    fn every_spelling_of_one_address_has_one_canonical_form() {
        let canonical = EmailAddress::parse("ada@example.com").unwrap();
        for spelling in [
            "ADA@EXAMPLE.COM",
            "\t ada@example.com \n",
            "\u{ff41}\u{ff44}\u{ff41}@example.com",
            "ada@\u{ff45}\u{ff58}\u{ff41}\u{ff4d}\u{ff50}\u{ff4c}\u{ff45}.com",
            "ada\u{ff20}example.com",
            "\u{ff21}\u{ff24}\u{ff21}@example.com",
        ] {
            assert_eq!(
                EmailAddress::parse(spelling),
                Ok(canonical.clone()),
                "{spelling:?}"
            );
        }
        // Accents and other scripts are refused (SES cannot deliver to them), composed or not.
        for other in [
            "\u{e1}d\u{e1}@example.com",
            "a\u{301}da@example.com",
            "\u{430}da@example.com",
            "ada@ex\u{e1}mple.com",
        ] {
            assert_eq!(
                EmailAddress::parse(other),
                Err(EmailError::NotAscii),
                "{other:?}"
            );
        }
        let huge = "\u{ff41}".repeat(300) + "@example.com";
        assert_eq!(EmailAddress::parse(&huge), Err(EmailError::TooLong));
    }
}
