//! Configuration comes from environment variables only, validated once at start-up.
//!
//! Every error names the variable, so a bad deployment fails with a message a person can act on.

use std::fmt::Display;
use std::str::FromStr;

/// A missing or unusable environment variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {name} is required but not set")]
    Missing { name: &'static str },
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Where to read variables from: the process environment, or a map in tests.
pub trait Env {
    fn get(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn get(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// A required string variable.
pub fn required(env: &dyn Env, name: &'static str) -> Result<String, ConfigError> {
    env.get(name).ok_or(ConfigError::Missing { name })
}

/// A required variable parsed into `T` (a domain type or a number).
pub fn required_parsed<T>(env: &dyn Env, name: &'static str) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    let raw = required(env, name)?;
    raw.trim()
        .parse()
        .map_err(|e: T::Err| ConfigError::Invalid {
            name,
            reason: e.to_string(),
        })
}

/// An optional variable parsed into `T`, with a default when absent.
pub fn parsed_or<T>(env: &dyn Env, name: &'static str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    match env.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: e.to_string(),
            }),
    }
}

/// An optional boolean: `true/false`, `1/0`, `yes/no`.
pub fn flag_or(env: &dyn Env, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match env.get(name) {
        None => Ok(default),
        Some(raw) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            other => Err(ConfigError::Invalid {
                name,
                reason: format!("expected true or false, got {other:?}"),
            }),
        },
    }
}

/// A number of seconds that must be positive.
pub fn positive_secs_or(
    env: &dyn Env,
    name: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    let value: u64 = parsed_or(env, name, default)?;
    if value == 0 {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be greater than zero".into(),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn missing_variable_is_named() {
        let err = required(&env(&[]), "DATABASE_URL").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable DATABASE_URL is required but not set"
        );
    }

    #[test]
    fn bad_number_is_named_with_reason() {
        let err = parsed_or::<u32>(&env(&[("N", "ten")]), "N", 1).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("environment variable N is invalid")
        );
    }

    #[test]
    fn flags_accept_common_spellings_and_reject_others() {
        assert!(flag_or(&env(&[("F", "yes")]), "F", false).unwrap());
        assert!(!flag_or(&env(&[("F", "0")]), "F", true).unwrap());
        assert!(flag_or(&env(&[]), "F", true).unwrap());
        assert!(flag_or(&env(&[("F", "maybe")]), "F", true).is_err());
    }

    #[test]
    fn zero_seconds_is_rejected() {
        assert!(positive_secs_or(&env(&[("S", "0")]), "S", 5).is_err());
        assert_eq!(positive_secs_or(&env(&[]), "S", 5).unwrap(), 5);
    }
}
