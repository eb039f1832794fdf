//! Time as the storage layers see it: whole seconds since the Unix epoch (DynamoDB TTLs), and
//! now cut to microseconds (MySQL `DATETIME(6)`).

use chrono::{DateTime, Utc};

/// Now, cut to the microseconds MySQL's `DATETIME(6)` keeps, so what is returned or published is
/// exactly what was stored.
pub fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Seconds since the Unix epoch, the unit DynamoDB TTL attributes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EpochSecs(pub i64);

impl EpochSecs {
    pub fn now() -> Self {
        Self(Utc::now().timestamp())
    }

    pub fn plus_secs(self, secs: u64) -> Self {
        Self(
            self.0
                .saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)),
        )
    }

    /// Whole seconds from `self` until `later` (zero if `later` has passed).
    pub fn secs_until(self, later: EpochSecs) -> u64 {
        u64::try_from(later.0.saturating_sub(self.0)).unwrap_or(0)
    }
}
