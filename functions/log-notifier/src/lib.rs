//! The log-notifier function: receives task events from the EventBridge rule.
//!
//! This first version accepts and logs each event's identity (never its content); choosing
//! recipients and sending e-mail through SES is the notifications issue's work.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::{Deserialize, Serialize};

/// The part of a task event's `detail` this function reads so far.
#[derive(Debug, Deserialize, Serialize)]
pub struct TaskEventDetail {
    pub event_id: String,
    pub schema_version: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("unsupported schema_version {0}")]
    UnsupportedSchema(u32),
}

/// Handle one EventBridge delivery.
pub async fn handle(event: EventBridgeEvent<TaskEventDetail>) -> Result<(), NotifyError> {
    if event.detail.schema_version != 1 {
        return Err(NotifyError::UnsupportedSchema(event.detail.schema_version));
    }
    tracing::info!(
        event_id = %event.detail.event_id,
        detail_type = %event.detail_type,
        source = ?event.source,
        "task event received"
    );
    Ok(())
}
