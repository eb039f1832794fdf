//! Login API tests against real MariaDB and the AWS emulator. Each test has its own database and
//! its own tables, so they run in parallel.

mod helpers;

mod hostile_input;
mod lambda_binary;
mod login;
mod passwords;
mod sessions;
mod signup;
mod throttling;
