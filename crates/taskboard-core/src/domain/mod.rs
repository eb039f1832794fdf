//! Domain types shared by the functions. Each can only hold a valid value: construct them by
//! parsing, and the rest of the code never re-checks.

mod email;
mod task;
mod user;

pub use email::{EmailAddress, EmailError};
pub use task::{
    DescriptionError, DueDate, DueDateError, StatusError, TaskDescription, TaskId, TaskIdError,
    TaskStatus, TaskTitle, TitleError,
};
pub use user::{DisplayName, NameError, User, UserId, UserIdError};
