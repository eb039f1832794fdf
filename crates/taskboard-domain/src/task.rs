use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A task's id: a UUIDv7, so ids sort by creation time (the list's stable order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(Uuid);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid task id")]
pub struct TaskIdError;

impl TaskId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn parse(raw: &str) -> Result<Self, TaskIdError> {
        Uuid::try_parse(raw.trim())
            .map(Self)
            .map_err(|_| TaskIdError)
    }

    /// The id's 16 bytes (what the list's cursor encodes).
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(Uuid::from_bytes(bytes))
    }
}

impl Default for TaskId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

/// A task title: 1–200 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskTitle(String);

impl TryFrom<String> for TaskTitle {
    type Error = TitleError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TaskTitle> for String {
    fn from(value: TaskTitle) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("title is required")]
    Empty,
    #[error("title must be at most 200 characters")]
    TooLong,
    #[error("title must not contain control characters")]
    ControlCharacters,
}

impl TaskTitle {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, TitleError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(TitleError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(TitleError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(TitleError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A task description: up to 10,000 characters; line breaks and tabs allowed, other control
/// characters not. Trailing whitespace is trimmed; an empty description is no description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskDescription(String);

impl TryFrom<String> for TaskDescription {
    type Error = DescriptionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)?.ok_or(DescriptionError::Empty)
    }
}

impl From<TaskDescription> for String {
    fn from(value: TaskDescription) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    #[error("description is empty")]
    Empty,
    #[error("description must be at most 10000 characters")]
    TooLong,
    #[error("description must not contain control characters other than line breaks and tabs")]
    ControlCharacters,
}

impl TaskDescription {
    pub const MAX_CHARS: usize = 10_000;

    /// `None` for an empty or all-whitespace description.
    pub fn parse(raw: &str) -> Result<Option<Self>, DescriptionError> {
        let trimmed = raw.trim_end();
        if trimmed.trim_start().is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(DescriptionError::TooLong);
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(DescriptionError::ControlCharacters);
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a task is on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Todo,
    InProgress,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status must be one of todo, in_progress, done")]
pub struct StatusError;

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
        }
    }

    /// How people say it: "To do", "In progress", "Done".
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Todo => "To do",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Done => "Done",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, StatusError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or(StatusError)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A due date (a calendar day, no time zone), between the years 2000 and 2999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "NaiveDate", into = "NaiveDate")]
pub struct DueDate(NaiveDate);

impl TryFrom<NaiveDate> for DueDate {
    type Error = DueDateError;
    fn try_from(value: NaiveDate) -> Result<Self, Self::Error> {
        Self::from_date(value)
    }
}

impl From<DueDate> for NaiveDate {
    fn from(value: DueDate) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DueDateError {
    #[error("due date must be a date written YYYY-MM-DD")]
    Format,
    #[error("due date must be between 2000-01-01 and 2999-12-31")]
    Range,
}

impl DueDate {
    pub fn parse(raw: &str) -> Result<Self, DueDateError> {
        let date =
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| DueDateError::Format)?;
        Self::from_date(date)
    }

    pub fn from_date(date: NaiveDate) -> Result<Self, DueDateError> {
        if !(2000..=2999).contains(&date.year()) {
            return Err(DueDateError::Range);
        }
        Ok(Self(date))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for DueDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(TaskTitle::parse("  Ship it ").unwrap().as_str(), "Ship it");
        assert_eq!(TaskTitle::parse("   "), Err(TitleError::Empty));
        assert!(TaskTitle::parse(&"é".repeat(200)).is_ok());
        assert_eq!(TaskTitle::parse(&"é".repeat(201)), Err(TitleError::TooLong));
        assert_eq!(TaskTitle::parse("a\nb"), Err(TitleError::ControlCharacters));
        assert_eq!(
            TaskTitle::parse("<img src=x onerror=alert(1)>")
                .unwrap()
                .as_str(),
            "<img src=x onerror=alert(1)>"
        );
    }

    #[test]
    fn descriptions_allow_line_breaks_and_are_bounded() {
        assert_eq!(TaskDescription::parse("  \n ").unwrap(), None);
        assert_eq!(
            TaskDescription::parse("line 1\nline 2\n")
                .unwrap()
                .unwrap()
                .as_str(),
            "line 1\nline 2"
        );
        assert!(
            TaskDescription::parse(&"x".repeat(10_000))
                .unwrap()
                .is_some()
        );
        assert_eq!(
            TaskDescription::parse(&"x".repeat(10_001)),
            Err(DescriptionError::TooLong)
        );
        assert_eq!(
            TaskDescription::parse("bell\u{7}"),
            Err(DescriptionError::ControlCharacters)
        );
    }

    #[test]
    fn statuses_parse_only_known_values() {
        assert_eq!(TaskStatus::parse("in_progress"), Ok(TaskStatus::InProgress));
        assert_eq!(TaskStatus::parse("In Progress"), Err(StatusError));
        assert_eq!(
            serde_json::to_string(&TaskStatus::Done).unwrap(),
            "\"done\""
        );
    }

    #[test]
    fn due_dates_are_calendar_days_in_range() {
        assert_eq!(
            DueDate::parse("2026-12-01").unwrap().to_string(),
            "2026-12-01"
        );
        assert_eq!(DueDate::parse("2026-02-30"), Err(DueDateError::Format));
        assert_eq!(DueDate::parse("01/12/2026"), Err(DueDateError::Format));
        assert_eq!(DueDate::parse("1999-12-31"), Err(DueDateError::Range));
    }
}
