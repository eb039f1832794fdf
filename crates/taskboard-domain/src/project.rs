//! Projects: the unit of access (`docs/decisions.md#11-projects-are-the-unit-of-access`).

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $err:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error($what)]
        pub struct $err;

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn parse(raw: &str) -> Result<Self, $err> {
                Uuid::try_parse(raw.trim()).map(Self).map_err(|_| $err)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A project's id (UUIDv7; projects made by the upgrade migration have a MariaDB UUIDv1).
    ProjectId,
    ProjectIdError,
    "not a valid project id"
);
uuid_id!(
    /// An invitation's id: what owners resend and revoke by. Never the link's secret.
    InvitationId,
    InvitationIdError,
    "not a valid invitation id"
);

/// A project's name: 1–80 characters after trimming; no control characters and no bidirectional
/// formatting characters (which can make a name display as something else, e.g. in an e-mail
/// subject).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectNameError {
    #[error("name is required")]
    Empty,
    #[error("name must be at most 80 characters")]
    TooLong,
    #[error("name must not contain control or text-direction characters")]
    Forbidden,
}

/// Unicode's bidirectional formatting characters: embeddings, overrides, isolates and marks.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

impl ProjectName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, ProjectNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ProjectNameError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ProjectNameError::TooLong);
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() || is_bidi_control(c))
        {
            return Err(ProjectNameError::Forbidden);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProjectName {
    type Error = ProjectNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProjectName> for String {
    fn from(value: ProjectName) -> Self {
        value.0
    }
}

impl fmt::Display for ProjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a member may do in a project.
///
/// | | owner | member |
/// |---|---|---|
/// | see every task and member | yes | yes |
/// | create tasks | yes | yes |
/// | edit, move a task | any task | ones they created or are assigned |
/// | delete a task | any task | ones they created |
/// | rename, archive, invite, change roles, remove members | yes | no (they may leave) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectRole {
    Owner,
    Member,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role must be owner or member")]
pub struct RoleError;

impl ProjectRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectRole::Owner => "owner",
            ProjectRole::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, RoleError> {
        match raw.trim() {
            "owner" => Ok(ProjectRole::Owner),
            "member" => Ok(ProjectRole::Member),
            _ => Err(RoleError),
        }
    }
}

/// A project as events and e-mails name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRef {
    pub id: ProjectId,
    pub name: ProjectName,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_plain() {
        assert_eq!(ProjectName::parse("  Apollo ").unwrap().as_str(), "Apollo");
        assert_eq!(ProjectName::parse(" \t"), Err(ProjectNameError::Empty));
        assert!(ProjectName::parse(&"é".repeat(80)).is_ok());
        assert_eq!(
            ProjectName::parse(&"é".repeat(81)),
            Err(ProjectNameError::TooLong)
        );
        for bad in [
            "a\u{202E}gpj.exe",
            "a\u{2066}b",
            "a\u{200F}",
            "a\u{0007}b",
            "a\nb",
        ] {
            assert_eq!(
                ProjectName::parse(bad),
                Err(ProjectNameError::Forbidden),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn roles_and_ids_parse_only_what_they_print() {
        for role in [ProjectRole::Owner, ProjectRole::Member] {
            assert_eq!(ProjectRole::parse(role.as_str()), Ok(role));
        }
        assert_eq!(ProjectRole::parse("admin"), Err(RoleError));
        let id = ProjectId::new();
        assert_eq!(ProjectId::parse(&id.to_string()), Ok(id));
        assert!(ProjectId::parse("../etc").is_err());
        assert!(InvitationId::parse("").is_err());
    }
}
