//! Which failures mean "a dependency is unavailable" (503), as opposed to a bug (500): found by
//! walking the error's chain of causes, so every adapter's own error type needs only to keep its
//! cause as its `source`.

use std::error::Error;
use std::io::ErrorKind;

use taskboard_core::dynamo::DynamoError;
use taskboard_core::sessions::SessionError;

/// MySQL errors that say "not now" rather than "not this": a lock wait that timed out (1205), a
/// deadlock victim (1213), too many connections (1040), and the read-only instance of an RDS
/// failover in progress (1290, 1836).
const BUSY_OR_FAILING_OVER: [u16; 5] = [1205, 1213, 1040, 1290, 1836];

/// Is `err`, or any error that caused it, a timeout or an unreachable or overloaded service?
pub fn is_unavailable(err: &(dyn Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if let Some(dynamo) = err.downcast_ref::<DynamoError>() {
            return dynamo.is_unavailable();
        }
        // Deletes DynamoDB kept handing back: it is throttling the table.
        if let Some(SessionError::Unprocessed { .. }) = err.downcast_ref::<SessionError>() {
            return true;
        }
        if let Some(db) = err.downcast_ref::<sqlx::Error>() {
            return match db {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_) => true,
                sqlx::Error::Database(e) => e
                    .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                    .is_some_and(|e| BUSY_OR_FAILING_OVER.contains(&e.number())),
                _ => false,
            };
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                ErrorKind::TimedOut
                    | ErrorKind::ConnectionRefused
                    | ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
            );
        }
        current = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("task store: {0}")]
    struct StoreError(#[from] sqlx::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("session store: {0}")]
    struct SessionError(#[from] DynamoError);

    #[test]
    fn timeouts_and_unreachable_services_are_unavailable_through_any_wrapper() {
        assert!(is_unavailable(&StoreError(sqlx::Error::PoolTimedOut)));
        let reset = std::io::Error::from(ErrorKind::ConnectionReset);
        assert!(is_unavailable(&StoreError(sqlx::Error::Io(reset))));
        assert!(is_unavailable(&SessionError(DynamoError::Unavailable(
            "timed out".into()
        ))));
        assert!(is_unavailable(
            &taskboard_core::sessions::SessionError::Unprocessed {
                unprocessed: 3,
                total: 30
            }
        ));
    }

    #[test]
    fn bugs_and_bad_data_are_not() {
        assert!(!is_unavailable(&StoreError(sqlx::Error::RowNotFound)));
        assert!(!is_unavailable(&SessionError(DynamoError::Malformed(
            "user_id"
        ))));
        assert!(!is_unavailable(&std::fmt::Error));
    }
}
