//! Account use cases, independent of HTTP: registering a person (sign-up and the admin command
//! share it) and checking credentials.

use taskboard_domain::FieldError;
use taskboard_domain::{DisplayName, EmailAddress, User};
use taskboard_mysql::users::{Account, NewAccount, UserStore, UserStoreError};

use crate::password::{HashError, LoginPassword, NewPassword, PasswordHasher, Verdict};

/// A sign-up request after parsing: every field valid.
#[derive(Debug)]
pub struct Registration {
    pub email: EmailAddress,
    pub name: DisplayName,
    pub password: NewPassword,
}

impl Registration {
    /// Parse all three fields, reporting every invalid one at once.
    pub fn parse(email: &str, name: &str, password: String) -> Result<Self, Vec<FieldError>> {
        let email = EmailAddress::parse(email).map_err(|e| FieldError::new("email", e));
        let name = DisplayName::parse(name).map_err(|e| FieldError::new("name", e));
        let password = NewPassword::parse(password).map_err(|e| FieldError::new("password", e));
        match (email, name, password) {
            (Ok(email), Ok(name), Ok(password)) => Ok(Self {
                email,
                name,
                password,
            }),
            (email, name, password) => Err([email.err(), name.err(), password.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// A sign-in request after parsing: a well-formed address and a password of a possible length.
#[derive(Debug)]
pub struct SignIn {
    pub email: EmailAddress,
    pub password: LoginPassword,
}

impl SignIn {
    /// Parse both fields, reporting every invalid one at once.
    pub fn parse(email: &str, password: String) -> Result<Self, Vec<FieldError>> {
        let email = EmailAddress::parse(email).map_err(|e| FieldError::new("email", e));
        let password = LoginPassword::parse(password).map_err(|e| FieldError::new("password", e));
        match (email, password) {
            (Ok(email), Ok(password)) => Ok(Self { email, password }),
            (email, password) => Err([email.err(), password.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Store(UserStoreError),
}

/// Hash the password and store the user.
pub async fn register(
    users: &UserStore,
    hasher: &PasswordHasher,
    registration: &Registration,
    new: NewAccount,
) -> Result<User, RegisterError> {
    let hash = hasher.hash(&registration.password).await?;
    users
        .insert(&registration.email, &registration.name, &hash, new)
        .await
        .map_err(|e| match e {
            UserStoreError::EmailTaken => RegisterError::EmailTaken,
            other => RegisterError::Store(other),
        })
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Store(#[from] UserStoreError),
}

/// The account whose credentials these are, or `None`. Unknown e-mail addresses cost one dummy
/// verification, the same work as a wrong password. The caller decides what a deactivated or
/// unverified account may do.
pub async fn check_credentials(
    users: &UserStore,
    hasher: &PasswordHasher,
    email: &EmailAddress,
    password: &LoginPassword,
) -> Result<Option<Account>, CheckError> {
    let found = users.credentials_by_email(email).await?;
    let verdict = hasher
        .verify(password, found.as_ref().map(|c| c.password_hash.as_str()))
        .await?;
    let Some(credentials) = found else {
        return Ok(None);
    };
    match verdict {
        Verdict::NoMatch => Ok(None),
        Verdict::Match => Ok(Some(credentials.account)),
        Verdict::MatchRehashed(new_hash) => {
            // Best effort: failing to upgrade the hash must not fail the sign-in.
            if let Err(err) = users
                .set_password_hash(credentials.account.user.id, &new_hash)
                .await
            {
                tracing::warn!(error = %err, "could not upgrade a password hash");
            }
            Ok(Some(credentials.account))
        }
    }
}
