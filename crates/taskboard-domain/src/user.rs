use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::EmailAddress;

/// A user's id: a UUID, shown and stored in its hyphenated form.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct UserId(Uuid);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid user id")]
pub struct UserIdError;

impl UserId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn parse(raw: &str) -> Result<Self, UserIdError> {
        Uuid::try_parse(raw.trim())
            .map(Self)
            .map_err(|_| UserIdError)
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl std::str::FromStr for UserId {
    type Err = UserIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A person's display name: 1–100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl TryFrom<String> for DisplayName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name is required")]
    Empty,
    #[error("name is longer than 100 characters")]
    TooLong,
    #[error("name must not contain control characters")]
    ControlCharacters,
}

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(NameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(NameError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A registered person, as any function may show them. Never carries password data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: UserId,
    pub email: EmailAddress,
    pub name: DisplayName,
    pub created_at: DateTime<Utc>,
    /// An administrator of the deployment: lists people, deactivates and reactivates accounts.
    pub is_admin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_round_trips_through_text() {
        let id = UserId::new();
        assert_eq!(UserId::parse(&id.to_string()), Ok(id));
        assert_eq!(UserId::parse("not-a-uuid"), Err(UserIdError));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert_eq!(DisplayName::parse(" "), Err(NameError::Empty));
        assert_eq!(
            DisplayName::parse(&"é".repeat(100)).map(|n| n.as_str().chars().count()),
            Ok(100)
        );
        assert_eq!(
            DisplayName::parse(&"é".repeat(101)),
            Err(NameError::TooLong)
        );
        assert_eq!(
            DisplayName::parse("Ada\u{7}"),
            Err(NameError::ControlCharacters)
        );
    }
}
