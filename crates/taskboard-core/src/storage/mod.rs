//! Storage adapters: MySQL (users, migrations) and DynamoDB (sessions, table definitions).

pub mod db;
mod item;
pub mod sessions;
pub mod tables;
pub mod users;
