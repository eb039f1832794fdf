//! The EventBridge bus and the notifier's rules: created by the local bootstrap and the tests from
//! the same patterns the infrastructure template uses
//! ([`taskboard_domain::events::NOTIFY_RULE_PATTERN`] for task events,
//! [`taskboard_domain::SES_REPORT_RULE_PATTERN`] for SES's bounce, complaint and delivery reports).

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::SdkError;
use aws_sdk_eventbridge::types::Target;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("EventBridge: {0}")]
    Sdk(#[source] Box<aws_sdk_eventbridge::Error>),
    #[error("EventBridge request: {0}")]
    Build(String),
}

fn sdk<E, R>(err: SdkError<E, R>) -> BusError
where
    aws_sdk_eventbridge::Error: From<SdkError<E, R>>,
{
    BusError::Sdk(Box::new(err.into()))
}

/// Create the bus if it does not exist.
pub async fn ensure_bus(client: &Client, bus: &str) -> Result<(), BusError> {
    match client.create_event_bus().name(bus).send().await {
        Ok(_) => Ok(()),
        Err(SdkError::ServiceError(e)) if e.err().is_resource_already_exists_exception() => Ok(()),
        Err(e) => Err(sdk(e)),
    }
}

/// Create (or update) the notifier's two rules on `bus`, `<rule_prefix>notify` (task events) and
/// `<rule_prefix>ses-reports`, both targeting `target_arn`. In AWS the second sits on the
/// default bus; locally one bus carries both, and a test puts SES's reports on it.
pub async fn ensure_notify_rule(
    client: &Client,
    bus: &str,
    rule_prefix: &str,
    target_arn: &str,
) -> Result<(), BusError> {
    for (name, pattern) in [
        ("notify", taskboard_domain::events::NOTIFY_RULE_PATTERN),
        ("ses-reports", taskboard_domain::SES_REPORT_RULE_PATTERN),
    ] {
        ensure_rule(
            client,
            bus,
            &format!("{rule_prefix}{name}"),
            pattern,
            target_arn,
        )
        .await?;
    }
    Ok(())
}

async fn ensure_rule(
    client: &Client,
    bus: &str,
    rule: &str,
    pattern: &str,
    target_arn: &str,
) -> Result<(), BusError> {
    client
        .put_rule()
        .event_bus_name(bus)
        .name(rule)
        .event_pattern(pattern)
        .send()
        .await
        .map_err(sdk)?;
    let target = Target::builder()
        .id("notifier")
        .arn(target_arn)
        .build()
        .map_err(|e| BusError::Build(e.to_string()))?;
    client
        .put_targets()
        .event_bus_name(bus)
        .rule(rule)
        .targets(target)
        .send()
        .await
        .map_err(sdk)?;
    Ok(())
}
