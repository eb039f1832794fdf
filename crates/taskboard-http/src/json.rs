//! A JSON body extractor whose every rejection is a problem+json 4xx.

use axum::extract::{FromRequest, Request};
use http::header;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use taskboard_domain::FieldError;

use crate::ApiError;

/// Bodies larger than this are refused with 413 before parsing.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// Like `axum::Json`, but: the content type must be JSON, the body is bounded, and syntax errors
/// (400) are told apart from shape errors such as a missing or unknown field (422).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BODY_BYTES)
            .await
            .map_err(|_| ApiError::PayloadTooLarge {
                limit_bytes: MAX_JSON_BODY_BYTES,
            })?;
        parse(&bytes).map(ApiJson)
    }
}

/// For `#[serde(default, deserialize_with = "taskboard_http::present")]` on an `Option<Option<T>>`
/// field: tells a field left out (`None`) from one sent as `null` (`Some(None)`).
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A field that may be left out but has no "cleared" state: `null` is a 422 on it (the document
/// gives it one type, not null), rather than read as "left out".
pub fn not_null<T>(field: &str, value: Option<Option<T>>) -> Result<Option<T>, ApiError> {
    match value {
        Some(None) => Err(ApiError::field(field, format!("{field} must not be null"))),
        Some(Some(value)) => Ok(Some(value)),
        None => Ok(None),
    }
}

fn is_json(content_type: Option<&http::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Every request body of this API is a JSON object. serde would also accept a struct written as
/// an array (`["a@b.c", "pw"]`); refuse that, so field order can never matter.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(ApiError::Validation(vec![FieldError::new(
            "body",
            "the request body must be a JSON object",
        )]));
    }
    serde_json::from_slice(bytes).map_err(|err| {
        use serde_json::error::Category;
        let message = strip_position(&err.to_string());
        match err.classify() {
            Category::Data => ApiError::Validation(vec![FieldError::new(
                field_of(&message).unwrap_or("body"),
                message.clone(),
            )]),
            Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson(message),
        }
    })
}

/// serde_json appends " at line L column C"; the client needs the message, not our parser's position.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

/// Pick the field name out of serde's "missing field `x`" / "unknown field `x`" messages.
fn field_of(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    let name = &message[start..start + len];
    (message.starts_with("missing field") || message.starts_with("unknown field")).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        email: String,
    }

    #[test]
    fn syntax_errors_are_400_and_shape_errors_are_422_with_field() {
        assert!(matches!(
            parse::<Login>(b"{"),
            Err(ApiError::MalformedJson(_))
        ));
        match parse::<Login>(br#"{"email":"a","admin":true}"#) {
            Err(ApiError::Validation(fields)) => assert_eq!(fields[0].field, "admin"),
            other => panic!("unexpected {other:?}"),
        }
        match parse::<Login>(b"{}") {
            Err(ApiError::Validation(fields)) => assert_eq!(fields[0].field, "email"),
            other => panic!("unexpected {other:?}"),
        }
        match parse::<Login>(br#"{"email":5}"#) {
            Err(ApiError::Validation(fields)) => {
                assert_eq!(fields[0].field, "body");
                assert!(!fields[0].message.contains("line"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn json_content_types() {
        let ok = |v: &'static str| is_json(Some(&http::HeaderValue::from_static(v)));
        assert!(ok("application/json"));
        assert!(ok("Application/JSON; charset=utf-8"));
        assert!(ok("application/merge-patch+json"));
        assert!(!ok("text/plain"));
        assert!(!ok("application/x-www-form-urlencoded"));
        assert!(!is_json(None));
    }
}
