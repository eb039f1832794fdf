//! The publisher function: the change log's DynamoDB stream → the EventBridge bus.
//!
//! The relay (tasks-api, inside the VPC) ends at the change log; this function, outside the VPC,
//! is triggered by the `task_log` table's stream and puts each new item's event on the bus under
//! the event contract (`docs/events.md`), so nothing inside the VPC needs an EventBridge endpoint
//! (`docs/decisions.md#4`).
//!
//! - [`stream`]: a stream record → the event it carries ([`Inserted`]), from Lambda's batch.
//! - [`batch`]: one batch → `PutEvents` calls, in order, reporting the first failure so Lambda
//!   retries from it (partial batch responses): each task's events stay in order.
//! - [`bus`]: the EventBridge adapter (`PutEvents` entries under the contract).
//! - [`config`]: the environment variables this function reads.

pub mod batch;
pub mod bus;
pub mod config;
pub mod stream;

pub use batch::{BatchOutcome, publish_batch};
pub use bus::Bus;
pub use config::PublisherConfig;
pub use stream::Inserted;
