//! The MySQL pool and the schema migrations (in `migrations/` at the repository root).

use std::time::Duration;

use sqlx::MySqlPool;
use sqlx::migrate::Migrator;
use sqlx::mysql::MySqlPoolOptions;

/// The schema, embedded in every binary that touches MySQL.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// A pool that connects on first use, from a URL with its password (tools and tests; the
/// functions use [`crate::connect::Database`], which also signs IAM tokens).
pub fn lazy_pool(database_url: &str, max_connections: u32) -> Result<MySqlPool, sqlx::Error> {
    MySqlPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy(database_url)
}

/// Is this error a violation of a UNIQUE index (MySQL/MariaDB error 1062)?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
