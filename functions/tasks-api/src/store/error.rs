//! What can go wrong in a write: a refusal (the decision's answer, 4xx) or a failure (the
//! database, 500). [`StoreError`] holds failures only.

use crate::decide::Refusal;
use crate::outbox::OutboxError;

/// The store could not do its job: the database failed or holds something invalid.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("task store: {0}")]
    Db(#[from] sqlx::Error),
    #[error("task store holds an invalid row: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

/// A write either was refused by its decision or failed; the API answers 4xx and 500.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Failed(#[from] StoreError),
}

impl From<sqlx::Error> for WriteError {
    fn from(err: sqlx::Error) -> Self {
        Self::Failed(err.into())
    }
}
