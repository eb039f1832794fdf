//! Structured JSON logs through `tracing`, one subscriber per process.
//!
//! The level comes from `RUST_LOG` (default `info`). Passwords, session tokens and e-mail bodies
//! are never recorded: the types that hold them print as `[redacted]`.

use tracing_subscriber::EnvFilter;

/// Install the JSON subscriber. Safe to call more than once (later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .try_init();
}
