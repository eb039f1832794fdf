//! Domain types shared by the functions. Each can only hold a valid value: construct them by
//! parsing, and the rest of the code never re-checks.

mod email;
mod user;

pub use email::{EmailAddress, EmailError};
pub use user::{DisplayName, NameError, User, UserId, UserIdError};
