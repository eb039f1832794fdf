//! tasks-api tests against real MariaDB and the AWS emulator (DynamoDB, EventBridge, SQS).
//! Each test has its own database, tables and event bus, so they run in parallel.

mod helpers;

mod admin;
mod concurrency;
mod contract;
mod crud;
mod faults;
mod history;
mod lambda_binary;
mod openapi;
mod pagination;
mod permissions;
mod projects;
mod relay;
mod upgrade;
