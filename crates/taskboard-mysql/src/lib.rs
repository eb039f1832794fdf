//! The MySQL side every function that reads people shares: [`db`] (the pool, connected on first
//! use, and the schema migrations in `migrations/`) and [`users`] (the users table).

pub mod db;
pub mod users;
