//! Which failures mean "a dependency is unavailable" (503), as opposed to a bug (500): found by
//! walking the error's chain of causes, so every adapter's own error type needs only to keep its
//! cause as its `source`.

use std::error::Error;
use std::io::ErrorKind;

use taskboard_core::dynamo::DynamoError;

/// Is `err`, or any error that caused it, a timeout or an unreachable or overloaded service?
pub fn is_unavailable(err: &(dyn Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if let Some(dynamo) = err.downcast_ref::<DynamoError>() {
            return dynamo.is_unavailable();
        }
        if let Some(db) = err.downcast_ref::<sqlx::Error>() {
            return matches!(
                db,
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
            );
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
