//! The publisher against the emulator's EventBridge (through the fault proxy where a call must
//! fail): batches go out in order, a failure names the record to retry from, and no task's events
//! overtake each other; and the real binary, driven through the Lambda Runtime API with a DynamoDB
//! stream event, answers with partial batch failures.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use taskboard_domain::events::{
    DetailType, FieldChange, Person, SCHEMA_VERSION, TaskEvent, TaskSnapshot,
};
use taskboard_domain::{
    DisplayName, EmailAddress, ProjectId, ProjectName, ProjectRef, TaskDescription, TaskId,
    TaskStatus, TaskTitle, UserId,
};
use taskboard_publisher::stream::Change;
use taskboard_publisher::{Bus, Inserted, publish_batch};
use taskboard_testing::TestTables;
use taskboard_testing::bus::TestBus;
use taskboard_testing::faults::{Fault, FaultProxy};
use taskboard_testing::runtime::FakeRuntime;

struct Setup {
    bus: TestBus,
    ada: Person,
    project: ProjectRef,
    _tables: TestTables,
}

impl Setup {
    async fn new() -> Self {
        let sdk = taskboard_testing::sdk_config().await;
        let tables = TestTables::new(&aws_sdk_dynamodb::Client::new(&sdk)).await;
        let bus = TestBus::new(&tables.prefix).await;
        Self {
            bus,
            ada: Person {
                id: UserId::new(),
                name: DisplayName::parse("Ada").unwrap(),
                email: EmailAddress::parse("ada@example.com").unwrap(),
            },
            project: ProjectRef {
                id: ProjectId::new(),
                name: ProjectName::parse("Apollo").unwrap(),
            },
            _tables: tables,
        }
    }

    /// Version `version` of task `task`: a status change (a creation for version 1).
    fn event(&self, task: TaskId, version: u32) -> TaskEvent {
        let now = chrono::Utc::now();
        let snapshot = TaskSnapshot {
            id: task,
            project_id: self.project.id,
            title: TaskTitle::parse("Ship it").unwrap(),
            description: None,
            status: TaskStatus::Todo,
            assignee: None,
            due_date: None,
            created_by: self.ada.clone(),
            created_at: now,
            updated_at: now,
            version,
        };
        TaskEvent {
            event_id: uuid::Uuid::now_v7(),
            schema_version: SCHEMA_VERSION,
            detail_type: if version == 1 {
                DetailType::Created
            } else {
                DetailType::StatusChanged
            },
            occurred_at: now,
            actor: self.ada.clone(),
            project: self.project.clone(),
            recipients: TaskEvent::concerned(&snapshot, None),
            task: snapshot,
            changes: Default::default(),
        }
    }

    fn bus_via(&self, sdk: &aws_config::SdkConfig) -> Bus {
        Bus::new(aws_sdk_eventbridge::Client::new(sdk), self.bus.bus.clone())
    }

    /// What reached the notifier's rule: (task id, version) in arrival order.
    async fn arrived(&self) -> Vec<(String, u64)> {
        self.bus
            .drain(Duration::from_millis(300))
            .await
            .iter()
            .map(|e| {
                (
                    e["detail"]["task"]["id"].as_str().unwrap().to_owned(),
                    e["detail"]["task"]["version"].as_u64().unwrap(),
                )
            })
            .collect()
    }
}

fn record(n: u64, event: &TaskEvent) -> Inserted {
    let detail = serde_json::to_string(event).unwrap();
    Inserted::from_parts(format!("{:021}", n), "INSERT", Some(&detail))
}

#[tokio::test]
async fn a_batch_goes_out_whole_and_in_order() {
    let s = Setup::new().await;
    let (a, b) = (TaskId::new(), TaskId::new());
    let mut records = vec![
        record(1, &s.event(a, 1)),
        record(2, &s.event(a, 2)),
        record(3, &s.event(b, 1)),
        Inserted::from_parts("000000000000000000004".into(), "MODIFY", None),
        record(5, &s.event(a, 3)),
    ];
    // Twelve more tasks: more than one call's worth.
    for n in 0..12 {
        records.push(record(6 + n, &s.event(TaskId::new(), 1)));
    }
    let bus = s.bus_via(&taskboard_testing::sdk_config().await);
    let outcome = publish_batch(&bus, &records).await;
    assert_eq!(outcome.failed_at, None);
    assert_eq!((outcome.published, outcome.skipped), (16, 1));
    let arrived = s.arrived().await;
    assert_eq!(arrived.len(), 16);
    let of_a: Vec<u64> = arrived
        .iter()
        .filter(|(id, _)| *id == a.to_string())
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(of_a, [1, 2, 3]);
}

#[tokio::test]
async fn a_failed_put_names_the_record_to_retry_from_and_no_event_overtakes_its_task() {
    let s = Setup::new().await;
    let faults = FaultProxy::for_emulator(5).await;
    let sdk = taskboard_testing::sdk_config_via(&faults.endpoint()).await;
    let bus = s.bus_via(&sdk);
    let (a, b) = (TaskId::new(), TaskId::new());
    let records = vec![
        record(1, &s.event(b, 1)),
        record(2, &s.event(a, 1)),
        record(3, &s.event(a, 2)),
        record(4, &s.event(b, 2)),
    ];
    // The first call ([b1, a1]; a2 waits for a call of its own) goes through; every attempt of
    // the second ([a2, b2]) fails.
    faults.after("PutEvents", 1, Fault::ServerError, 10);
    let outcome = publish_batch(&bus, &records).await;
    assert_eq!(outcome.published, 2);
    assert_eq!(outcome.failed_at.as_deref(), Some("000000000000000000003"));
    faults.heal();
    // Lambda retries from the record named: a2 and b2, after a1 and b1.
    let outcome = publish_batch(&bus, &records[2..]).await;
    assert_eq!((outcome.published, outcome.failed_at), (2, None));
    let arrived = s.arrived().await;
    let order = |task: TaskId| -> Vec<u64> {
        arrived
            .iter()
            .filter(|(id, _)| *id == task.to_string())
            .map(|(_, v)| *v)
            .collect()
    };
    assert_eq!(order(a), [1, 2]);
    assert_eq!(order(b), [1, 2]);
}

#[tokio::test]
async fn an_unreadable_event_is_passed_over_and_holds_up_nothing_behind_it() {
    let s = Setup::new().await;
    let bus = s.bus_via(&taskboard_testing::sdk_config().await);
    let task = TaskId::new();
    let records = vec![
        record(1, &s.event(task, 1)),
        Inserted::from_parts("000000000000000000002".into(), "INSERT", Some("{\"task\":")),
        record(3, &s.event(task, 2)),
    ];
    assert!(matches!(records[1].change, Change::Unreadable(_)));
    let outcome = publish_batch(&bus, &records).await;
    assert_eq!(
        (outcome.published, outcome.unreadable, outcome.failed_at),
        (2, 1, None)
    );
    assert_eq!(s.arrived().await.len(), 2);
}

#[tokio::test]
async fn events_with_long_descriptions_go_out_in_calls_under_eventbridges_size_limit() {
    let s = Setup::new().await;
    // The emulator takes calls of any size; the proxy counts them.
    let counter = FaultProxy::for_emulator(1).await;
    let bus = s.bus_via(&taskboard_testing::sdk_config_via(&counter.endpoint()).await);
    // Ten edits whose description is 10,000 four-byte characters, carried three times: about
    // 120 KB each, 1.2 MB together, where one PutEvents call takes 256 KB.
    let long = "\u{1F4DD}".repeat(10_000);
    let records: Vec<Inserted> = (0..10)
        .map(|n| {
            let mut event = s.event(TaskId::new(), 2);
            event.task.description = TaskDescription::parse(&long).unwrap();
            event.changes.insert(
                "description".into(),
                FieldChange {
                    from: json!(long),
                    to: json!(long),
                },
            );
            record(n, &event)
        })
        .collect();
    let outcome = publish_batch(&bus, &records).await;
    assert_eq!((outcome.published, outcome.failed_at), (10, None));
    assert_eq!(s.arrived().await.len(), 10);
    // One call each: two would be 240 KB, near the limit with their envelopes.
    assert_eq!(counter.calls().get("PutEvents"), Some(&10));
}

/// An item an older release wrote without its event, given one by the relay (an upgrade across
/// issue 16): the stream says MODIFY, and that event is published too.
#[tokio::test]
async fn an_event_added_to_an_older_item_is_published() {
    let s = Setup::new().await;
    let bus = s.bus_via(&taskboard_testing::sdk_config().await);
    let detail = serde_json::to_string(&s.event(TaskId::new(), 1)).unwrap();
    let records = [
        Inserted::from_parts("1".into(), "MODIFY", Some(&detail)),
        Inserted::from_parts("2".into(), "MODIFY", None),
    ];
    let outcome = publish_batch(&bus, &records).await;
    assert_eq!((outcome.published, outcome.skipped), (1, 1));
    assert_eq!(s.arrived().await.len(), 1);
}

/// A DynamoDB stream event as Lambda delivers it, one record per `(sequence, event JSON)`.
fn stream_event(records: &[(&str, Option<String>)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(sequence, event)| {
            let mut image = json!({"task_id": {"S": "t"}, "log_key": {"S": "k"}});
            if let Some(event) = event {
                image["event"] = json!({"S": event});
            }
            json!({
                "eventID": format!("id-{sequence}"), "eventName": "INSERT", "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1764064800.0,
                    "Keys": {"task_id": {"S": "t"}, "log_key": {"S": "k"}},
                    "NewImage": image, "SequenceNumber": sequence, "SizeBytes": 100,
                    "StreamViewType": "NEW_IMAGE"
                },
                "eventSourceARN": "arn:aws:dynamodb:eu-west-1:000000000000:table/t/stream/2026-11-25T00:00:00.000"
            })
        })
        .collect();
    json!({ "Records": records })
}

#[tokio::test]
async fn the_binary_answers_with_the_record_to_retry_from() {
    let s = Setup::new().await;
    let faults = FaultProxy::for_emulator(9).await;
    let mut runtime = FakeRuntime::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_publisher"))
        .envs(runtime.lambda_env("publisher"))
        .env("EVENT_BUS_NAME", &s.bus.bus)
        .env("AWS_ENDPOINT_URL", faults.endpoint())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the publisher");
    let task = TaskId::new();
    let first = serde_json::to_string(&s.event(task, 1)).unwrap();
    let second = serde_json::to_string(&s.event(task, 2)).unwrap();

    runtime
        .invoke(stream_event(&[("100", Some(first.clone())), ("101", None)]))
        .await;
    assert_eq!(runtime.response().await, json!({"batchItemFailures": []}));

    faults.next("PutEvents", Fault::ServerError, 10);
    runtime
        .invoke(stream_event(&[("102", Some(second.clone()))]))
        .await;
    assert_eq!(
        runtime.response().await,
        json!({"batchItemFailures": [{"itemIdentifier": "102"}]})
    );
    faults.heal();
    runtime.invoke(stream_event(&[("102", Some(second))])).await;
    assert_eq!(runtime.response().await, json!({"batchItemFailures": []}));
    let arrived = s.arrived().await;
    assert_eq!(
        arrived,
        [(task.to_string(), 1), (task.to_string(), 2)],
        "each once, in order"
    );
    child.kill().await.ok();
}
