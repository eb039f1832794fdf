//! One DynamoDB table as every adapter uses it: the lazily built client and the table's name,
//! conditional writes that tell "the condition failed" from a failure, one error type, and typed
//! readers for the attributes of a stored item.
//!
//! The four adapters (sessions, sign-in throttle, change log, delivery records) are built on it,
//! so a stored item that is missing an attribute or holds a malformed number is an error in every
//! one of them, never a silent zero.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use crate::aws::LazyClient;

/// A stored item, attribute name → value.
pub type Item = HashMap<String, AttributeValue>;

/// Anything that went wrong talking to DynamoDB or reading what it returned.
#[derive(Debug, thiserror::Error)]
pub enum DynamoError {
    /// DynamoDB did not answer in time, could not be reached, or was overloaded, after the SDK's
    /// retries: nothing wrong with the request; an API answers 503 and the caller may retry.
    #[error("DynamoDB unavailable: {0}")]
    Unavailable(String),
    #[error("DynamoDB: {0}")]
    Sdk(#[source] Box<aws_sdk_dynamodb::Error>),
    #[error("DynamoDB request: {0}")]
    Build(String),
    #[error("stored item has a missing or malformed attribute `{0}`")]
    Malformed(&'static str),
}

impl<E, R> From<SdkError<E, R>> for DynamoError
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
    E: ProvideErrorMetadata,
{
    fn from(err: SdkError<E, R>) -> Self {
        match unavailable(&err) {
            Some(reason) => Self::Unavailable(reason),
            None => Self::Sdk(Box::new(err.into())),
        }
    }
}

impl DynamoError {
    /// A failure of the service, not of the request (see [`DynamoError::Unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// Why `err` is the service being unavailable (timeouts, no connection, throttling or a server
/// error after the SDK's retries), or `None` for an error about the request itself.
fn unavailable<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<String> {
    match err {
        SdkError::TimeoutError(_) => Some("timed out".into()),
        SdkError::DispatchFailure(failure) => Some(match failure.as_connector_error() {
            Some(c) if c.is_timeout() => "timed out connecting".into(),
            _ => "could not be reached".into(),
        }),
        SdkError::ResponseError(_) => Some("answered something unreadable".into()),
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            matches!(
                code,
                "ThrottlingException"
                    | "ProvisionedThroughputExceededException"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
                    | "ServiceUnavailable"
            )
            .then(|| code.to_owned())
        }
        _ => None,
    }
}

impl From<aws_sdk_dynamodb::error::BuildError> for DynamoError {
    fn from(err: aws_sdk_dynamodb::error::BuildError) -> Self {
        Self::Build(err.to_string())
    }
}

/// The outcome of a conditional write: `Some(output)` when it was applied, `None` when its
/// condition did not hold (`ConditionalCheckFailedException`), an error for anything else.
pub fn conditional<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<Option<T>, DynamoError>
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
    E: ProvideErrorMetadata,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(err) => {
            if let Some(reason) = unavailable(&err) {
                return Err(DynamoError::Unavailable(reason));
            }
            match aws_sdk_dynamodb::Error::from(err) {
                aws_sdk_dynamodb::Error::ConditionalCheckFailedException(_) => Ok(None),
                other => Err(DynamoError::Sdk(Box::new(other))),
            }
        }
    }
}

/// A table: its client (built on first use) and its name.
#[derive(Clone)]
pub struct Table {
    client: LazyClient<Client>,
    name: String,
}

impl Table {
    pub fn new(client: impl Into<LazyClient<Client>>, name: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            name: name.into(),
        }
    }

    pub async fn client(&self) -> &Client {
        self.client.get().await
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Put `item` unless an item with this key exists already. `Ok(false)`: it existed.
    pub async fn put_new(&self, item: Item, key_attribute: &str) -> Result<bool, DynamoError> {
        let put = self
            .client()
            .await
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#key)")
            .expression_attribute_names("#key", key_attribute)
            .send()
            .await;
        Ok(conditional(put)?.is_some())
    }

    /// The item under `key`, read consistently.
    pub async fn get(&self, key: Item) -> Result<Option<Item>, DynamoError> {
        let out = self
            .client()
            .await
            .get_item()
            .table_name(&self.name)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item)
    }

    /// Delete the item under `key` (deleting nothing is not an error).
    pub async fn delete(&self, key: Item) -> Result<(), DynamoError> {
        self.client()
            .await
            .delete_item()
            .table_name(&self.name)
            .set_key(Some(key))
            .send()
            .await?;
        Ok(())
    }
}

/// A one-attribute key (or item): `name = value`.
pub fn key(name: &str, value: AttributeValue) -> Item {
    HashMap::from([(name.to_owned(), value)])
}

/// A string attribute.
pub fn string(item: &Item, name: &'static str) -> Result<String, DynamoError> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Ok(s.clone()),
        _ => Err(DynamoError::Malformed(name)),
    }
}

/// A whole-number attribute.
pub fn number(item: &Item, name: &'static str) -> Result<i64, DynamoError> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| DynamoError::Malformed(name)),
        _ => Err(DynamoError::Malformed(name)),
    }
}

/// A number attribute value.
pub fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A string attribute value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_refuse_missing_and_malformed_attributes() {
        let item: Item = HashMap::from([
            ("count".to_owned(), n(3)),
            ("bad".to_owned(), AttributeValue::N("x".into())),
            ("name".to_owned(), s("ada")),
        ]);
        assert_eq!(number(&item, "count").unwrap(), 3);
        assert!(matches!(
            number(&item, "bad"),
            Err(DynamoError::Malformed("bad"))
        ));
        assert!(matches!(
            number(&item, "name"),
            Err(DynamoError::Malformed("name"))
        ));
        assert!(matches!(
            string(&item, "missing"),
            Err(DynamoError::Malformed("missing"))
        ));
        assert_eq!(string(&item, "name").unwrap(), "ada");
    }
}
