//! The MySQL side the functions share: [`db`] (the pool, connected on first use, and the schema
//! migrations in `migrations/`), [`users`] (accounts), [`invitations`] (invitation links and
//! accepting them) and [`account_tokens`] (verification and password-reset links). Only hashes of
//! link tokens are ever passed in; the tokens themselves are made in `taskboard_core::tokens`.

pub mod account_tokens;
pub mod db;
pub mod invitations;
pub mod users;
