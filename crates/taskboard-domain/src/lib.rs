//! Taskboard's domain, the bottom of the house: no HTTP, SQL or AWS here, so every function (and
//! the notifier, which needs no database) can build on it cheaply.
//!
//! - Types that can only hold valid values: [`EmailAddress`], [`UserId`], [`DisplayName`],
//!   [`TaskId`], [`TaskTitle`], [`TaskDescription`], [`TaskStatus`], [`DueDate`], [`SiteUrl`],
//!   [`ProjectId`], [`ProjectName`], [`ProjectRole`], [`InvitationId`], [`SignupPolicy`].
//!   Construct them by parsing; the rest of the code never re-checks.
//! - [`DeliveryStatus`] and [`DeliveryTag`]: how an e-mail about a change went, and the SES tag
//!   that carries its record to the bounce and complaint reports.
//! - [`events`]: the task event contract (`docs/events.md`), shared by producer and consumer.
//! - [`FieldError`]: which input was invalid and why.
//! - [`time`]: whole seconds since the epoch, as DynamoDB TTL attributes count them.

mod delivery;
mod email;
pub mod events;
mod field_error;
mod project;
mod signup;
mod site_url;
mod task;
pub mod time;
mod user;

pub use delivery::{DeliveryStatus, DeliveryStatusError, DeliveryTag, SES_REPORT_RULE_PATTERN};
pub use email::{EmailAddress, EmailError};
pub use field_error::FieldError;
pub use project::{
    InvitationId, InvitationIdError, ProjectId, ProjectIdError, ProjectName, ProjectNameError,
    ProjectRef, ProjectRole, RoleError,
};
pub use signup::{SignupPolicy, SignupPolicyError};
pub use site_url::{SiteUrl, SiteUrlError};
pub use task::{
    DescriptionError, DueDate, DueDateError, StatusError, TaskDescription, TaskId, TaskIdError,
    TaskStatus, TaskTitle, TitleError,
};
pub use user::{DisplayName, NameError, User, UserId, UserIdError};
