//! Structured JSON logs through `tracing`, one subscriber per process.
//!
//! The filter comes from `RUST_LOG` (default `info`): a level (`debug`) or per-target levels
//! (`taskboard_core=debug,info`). Span and field filters are not supported: they need
//! `EnvFilter`, whose regex engine every binary would carry (docs/performance.md). Passwords,
//! session tokens and e-mail bodies are never recorded: the types that hold them print as
//! `[redacted]`.

use tracing::Level;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

const DEFAULT_FILTER: &str = "info";

/// The runtime crates log each raw event at debug and trace: request cookies (session tokens) and
/// the migrate function's one-time bootstrap password would reach the log. They stay at info
/// whatever `RUST_LOG` asks.
const RAW_EVENT_TARGETS: [&str; 2] = ["lambda_runtime", "lambda_http"];

/// Install the JSON subscriber. Safe to call more than once (later calls do nothing).
pub fn init() {
    let setting = std::env::var("RUST_LOG").ok();
    let (filter, rejected) = log_filter(setting.as_deref());
    let filter = without_raw_events(filter);
    let installed = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_target(false)
                .with_ansi(false),
        )
        .with(filter)
        .try_init();
    if let (Ok(()), Some(value)) = (installed, rejected) {
        tracing::warn!(
            value,
            "RUST_LOG is not a level or target=level list; logging at {DEFAULT_FILTER}"
        );
    }
}

/// `filter`, with the runtime crates held at info at most.
fn without_raw_events(filter: Targets) -> Targets {
    RAW_EVENT_TARGETS.iter().fold(filter, |filter, target| {
        if filter.would_enable(target, &Level::DEBUG) {
            filter.with_target(*target, LevelFilter::INFO)
        } else {
            filter
        }
    })
}

/// The filter for a `RUST_LOG` value, and the value itself when it was not understood.
fn log_filter(setting: Option<&str>) -> (Targets, Option<&str>) {
    let default = || DEFAULT_FILTER.parse().unwrap_or_default();
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => (default(), None),
        Some(value) => match value.parse::<Targets>() {
            Ok(filter) => (filter, None),
            Err(_) => (default(), Some(value)),
        },
    }
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::{log_filter, without_raw_events};

    #[test]
    fn raw_events_stay_out_of_the_log_at_any_level() {
        for setting in ["trace", "debug", "lambda_runtime=trace,info"] {
            let filter = without_raw_events(log_filter(Some(setting)).0);
            for target in ["lambda_runtime", "lambda_http"] {
                assert!(
                    !filter.would_enable(target, &Level::DEBUG),
                    "{setting}: {target}"
                );
                assert!(
                    filter.would_enable(target, &Level::INFO),
                    "{setting}: {target}"
                );
            }
        }
        let filter = without_raw_events(log_filter(Some("trace")).0);
        assert!(filter.would_enable("taskboard_core", &Level::TRACE));
        let quiet = without_raw_events(log_filter(Some("warn")).0);
        assert!(
            !quiet.would_enable("lambda_runtime", &Level::INFO),
            "warn stays warn"
        );
    }

    #[test]
    fn unset_or_empty_means_info() {
        for setting in [None, Some(""), Some("  ")] {
            let (filter, rejected) = log_filter(setting);
            assert!(rejected.is_none());
            assert!(filter.would_enable("taskboard_login", &Level::INFO));
            assert!(!filter.would_enable("taskboard_login", &Level::DEBUG));
        }
    }

    #[test]
    fn a_level_or_per_target_levels_are_honoured() {
        let (filter, _) = log_filter(Some("warn"));
        assert!(filter.would_enable("anything", &Level::WARN));
        assert!(!filter.would_enable("anything", &Level::INFO));

        let (filter, _) = log_filter(Some("taskboard_core=debug,error"));
        assert!(filter.would_enable("taskboard_core::sessions", &Level::DEBUG));
        assert!(!filter.would_enable("aws_smithy_runtime", &Level::WARN));
        assert!(filter.would_enable("aws_smithy_runtime", &Level::ERROR));
    }

    #[test]
    fn a_value_that_is_not_a_filter_is_reported_and_info_is_used() {
        let (filter, rejected) = log_filter(Some("tasks=loud"));
        assert_eq!(rejected, Some("tasks=loud"));
        assert!(filter.would_enable("tasks", &Level::INFO));
        assert!(!filter.would_enable("tasks", &Level::DEBUG));
    }
}
