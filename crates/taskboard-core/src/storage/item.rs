//! Reading typed attributes out of DynamoDB items.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

pub(crate) type Item = HashMap<String, AttributeValue>;

#[derive(Debug, thiserror::Error)]
#[error("stored item has a missing or malformed attribute `{0}`")]
pub struct MalformedItem(pub &'static str);

pub(crate) fn string(item: &Item, name: &'static str) -> Result<String, MalformedItem> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Ok(s.clone()),
        _ => Err(MalformedItem(name)),
    }
}

pub(crate) fn number(item: &Item, name: &'static str) -> Result<i64, MalformedItem> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| MalformedItem(name)),
        _ => Err(MalformedItem(name)),
    }
}

pub(crate) fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}
