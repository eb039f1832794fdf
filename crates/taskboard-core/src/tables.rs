//! The DynamoDB tables the code uses: one definition, read by the local bootstrap, the tests,
//! and checked against `infra/template.yaml`.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};

/// A secondary index (string keys).
#[derive(Debug, Clone, Copy)]
pub struct IndexSpec {
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: Option<&'static str>,
    pub keys_only: bool,
}

/// A table (string keys, on-demand billing).
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// Short name; the deployed table is `<prefix><name>`.
    pub name: &'static str,
    /// The environment variable the functions read the table name from.
    pub env_var: &'static str,
    pub partition_key: &'static str,
    pub sort_key: Option<&'static str>,
    pub indexes: &'static [IndexSpec],
    pub ttl_attribute: Option<&'static str>,
    /// A stream of new images (`NEW_IMAGE`): the change log's, which triggers the publisher.
    pub stream: bool,
}

/// Sessions, keyed by SHA-256 of the token; `user_id-index` serves "log out everywhere".
pub const SESSIONS: TableSpec = TableSpec {
    name: "sessions",
    env_var: "SESSIONS_TABLE",
    partition_key: "session_id",
    sort_key: None,
    indexes: &[IndexSpec {
        name: "user_id-index",
        partition_key: "user_id",
        sort_key: None,
        keys_only: true,
    }],
    ttl_attribute: Some("expires_at"),
    stream: false,
};

/// Failed sign-in counters per account and per client address.
pub const LOGIN_ATTEMPTS: TableSpec = TableSpec {
    name: "login_attempts",
    env_var: "LOGIN_ATTEMPTS_TABLE",
    partition_key: "throttle_key",
    sort_key: None,
    indexes: &[],
    ttl_attribute: Some("expires_at"),
    stream: false,
};

/// The change log: every task event, by task, newest last (`log_key` = `occurred_at#event_id`).
/// Its stream of new items triggers the publisher, which puts each event on the bus.
pub const TASK_LOG: TableSpec = TableSpec {
    name: "task_log",
    env_var: "TASK_LOG_TABLE",
    partition_key: "task_id",
    sort_key: Some("log_key"),
    indexes: &[],
    ttl_attribute: None,
    stream: true,
};

/// The notifier's delivery records: one per `event_id#recipient`, so a repeated or concurrent
/// delivery of an event sends each e-mail once, kept 30 days; `task_id-index` gathers a task's
/// records for its history (summaries, which have no task, stay out of it). The table also holds
/// the suppressed addresses, under `suppressed#<address>` ([`crate::suppressions`]).
pub const NOTIFICATIONS: TableSpec = TableSpec {
    name: "notifications",
    env_var: "NOTIFICATIONS_TABLE",
    partition_key: "delivery_id",
    sort_key: None,
    indexes: &[IndexSpec {
        name: "task_id-index",
        partition_key: "task_id",
        sort_key: Some("delivery_id"),
        keys_only: false,
    }],
    ttl_attribute: Some("expires_at"),
    stream: false,
};

/// Abuse caps: one fixed-window counter per `scope#window#sha256(subject)` ([`crate::rate`]).
pub const RATE_LIMITS: TableSpec = TableSpec {
    name: "rate_limits",
    env_var: "RATE_LIMITS_TABLE",
    partition_key: "limit_key",
    sort_key: None,
    indexes: &[],
    ttl_attribute: Some("expires_at"),
    stream: false,
};

/// Account e-mail waiting to be sent ([`crate::mail_queue`]): its stream triggers the notifier,
/// outside the VPC, which sends each message and deletes it. Unsent messages expire after a day.
pub const OUTGOING_MAIL: TableSpec = TableSpec {
    name: "outgoing_mail",
    env_var: "OUTGOING_MAIL_TABLE",
    partition_key: "mail_id",
    sort_key: None,
    indexes: &[],
    ttl_attribute: Some("expires_at"),
    stream: true,
};

/// Every table, in creation order.
pub const ALL: &[TableSpec] = &[
    SESSIONS,
    LOGIN_ATTEMPTS,
    TASK_LOG,
    NOTIFICATIONS,
    RATE_LIMITS,
    OUTGOING_MAIL,
];

#[derive(Debug, thiserror::Error)]
#[error("could not create DynamoDB table {table}: {source}")]
pub struct CreateTableError {
    table: String,
    #[source]
    source: Box<aws_sdk_dynamodb::Error>,
}

/// Create `table_name` from `spec` if it does not exist, and enable its TTL. Idempotent.
pub async fn ensure_table(
    client: &Client,
    spec: &TableSpec,
    table_name: &str,
) -> Result<(), CreateTableError> {
    let fail = |e: aws_sdk_dynamodb::Error| CreateTableError {
        table: table_name.to_owned(),
        source: Box::new(e),
    };
    let mut attributes = vec![spec.partition_key];
    attributes.extend(spec.sort_key);
    for index in spec.indexes {
        attributes.push(index.partition_key);
        attributes.extend(index.sort_key);
    }
    attributes.sort_unstable();
    attributes.dedup();

    let mut request = client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(spec.partition_key, spec.sort_key)));
    for attribute in attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| fail(e.into()))?,
        );
    }
    for index in spec.indexes {
        let projection = Projection::builder()
            .projection_type(if index.keys_only {
                ProjectionType::KeysOnly
            } else {
                ProjectionType::All
            })
            .build();
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .set_key_schema(Some(key_schema(index.partition_key, index.sort_key)))
                .projection(projection)
                .build()
                .map_err(|e| fail(e.into()))?,
        );
    }
    let stream = || {
        StreamSpecification::builder()
            .stream_enabled(true)
            .stream_view_type(StreamViewType::NewImage)
            .build()
    };
    if spec.stream {
        request = request.stream_specification(stream().map_err(|e| fail(e.into()))?);
    }
    match request.send().await {
        Ok(_) => {}
        Err(SdkError::ServiceError(e)) if e.err().is_resource_in_use_exception() => {
            // It existed (an emulator left running): give it its stream if it has none yet.
            if spec.stream {
                let described = client
                    .describe_table()
                    .table_name(table_name)
                    .send()
                    .await
                    .map_err(|e| fail(e.into()))?;
                let has_stream = described
                    .table()
                    .and_then(|t| t.stream_specification())
                    .is_some_and(|s| s.stream_enabled());
                if !has_stream {
                    client
                        .update_table()
                        .table_name(table_name)
                        .stream_specification(stream().map_err(|e| fail(e.into()))?)
                        .send()
                        .await
                        .map_err(|e| fail(e.into()))?;
                }
            }
        }
        Err(e) => return Err(fail(e.into())),
    }
    if let Some(attribute) = spec.ttl_attribute {
        let ttl = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(attribute)
            .build()
            .map_err(|e| fail(e.into()))?;
        match client
            .update_time_to_live()
            .table_name(table_name)
            .time_to_live_specification(ttl)
            .send()
            .await
        {
            Ok(_) => {}
            // Already enabled: DynamoDB refuses to set the same TTL twice.
            Err(SdkError::ServiceError(e)) if e.raw().status().as_u16() == 400 => {}
            Err(e) => return Err(fail(e.into())),
        }
    }
    Ok(())
}

fn key_schema(partition: &str, sort: Option<&str>) -> Vec<KeySchemaElement> {
    let mut keys = vec![
        KeySchemaElement::builder()
            .attribute_name(partition)
            .key_type(KeyType::Hash)
            .build()
            .expect("attribute name and key type are set"),
    ];
    if let Some(sort) = sort {
        keys.push(
            KeySchemaElement::builder()
                .attribute_name(sort)
                .key_type(KeyType::Range)
                .build()
                .expect("attribute name and key type are set"),
        );
    }
    keys
}
