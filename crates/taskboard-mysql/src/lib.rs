//! The MySQL side the functions share: [`connect`] (where the database is and how a function signs
//! in: a password locally, an [`iam`] token on AWS), [`db`] (the schema migrations in
//! `migrations/`), [`roles`] (the application and migration database users), [`users`]
//! (accounts), [`invitations`] (invitation links and accepting them) and [`account_tokens`]
//! (verification and password-reset links). Only hashes of link tokens are ever passed in; the
//! tokens themselves are made in `taskboard_core::tokens`.

pub mod account_tokens;
pub mod connect;
pub mod db;
pub mod iam;
pub mod invitations;
pub mod roles;
pub mod users;
