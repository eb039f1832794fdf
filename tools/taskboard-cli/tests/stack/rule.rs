//! The notifier's rule, proven through the emulator's EventBridge: which events it lets through.

use std::time::Duration;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde_json::json;

use crate::helpers::Stack;

#[tokio::test]
async fn the_rule_passes_task_events_and_drops_everything_else() {
    let s = Stack::start().await;
    let sdk = taskboard_testing::sdk_config().await;
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let cases = [
        ("taskboard.tasks", "Task Created", true),
        ("taskboard.tasks", "Task Updated", true),
        ("taskboard.tasks", "Task Status Changed", true),
        ("taskboard.tasks", "Task Assigned", true),
        ("taskboard.tasks", "Task Deleted", true),
        ("taskboard.tasks", "Task Archived", false),
        ("taskboard.tasks", "task created", false),
        ("taskboard.users", "Task Created", false),
        ("aws.events", "Scheduled Event", false),
    ];
    for (i, (source, detail_type, _)) in cases.iter().enumerate() {
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&s.env["EVENT_BUS_NAME"])
            .source(*source)
            .detail_type(*detail_type)
            .detail(json!({"case": i}).to_string())
            .build();
        let out = events.put_events().entries(entry).send().await.unwrap();
        assert_eq!(out.failed_entry_count(), 0);
    }
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let url = sqs
        .get_queue_url()
        .queue_name(&s.env["LOCAL_NOTIFIER_QUEUE"])
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let mut passed = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::time::Instant::now() < deadline {
        let got = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        for m in got.messages() {
            let envelope: serde_json::Value = serde_json::from_str(m.body().unwrap()).unwrap();
            passed.insert(envelope["detail"]["case"].as_u64().unwrap() as usize);
            sqs.delete_message()
                .queue_url(&url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        if passed.len() == 5 && got.messages().is_empty() {
            break;
        }
    }
    let expected: std::collections::BTreeSet<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.2)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(passed, expected);
}
