//! The first account of a fresh deployment, with no SQL: the migrate function, given
//! `INITIAL_ADMIN_EMAIL`, mails that address an invitation to become the administrator (README
//! "The first account"). It does so only while there is no administrator and no such invitation
//! pending, so running every deploy is harmless. If the e-mail cannot be sent, the invitation is
//! taken back and the next run tries again.

use taskboard_core::account_mail::{AccountMail, AccountMailError, AccountMailer};
use taskboard_core::tokens::{RandomError, SecretToken};
use taskboard_domain::{EmailAddress, ProjectRole};
use taskboard_mysql::invitations::{InvitationError, InvitationStore, NewInvitation};
use taskboard_mysql::users::{UserStore, UserStoreError};

#[derive(Debug, thiserror::Error)]
pub enum FirstAdminError {
    #[error(transparent)]
    Users(#[from] UserStoreError),
    #[error(transparent)]
    Invitations(#[from] InvitationError),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Mail(#[from] AccountMailError),
}

/// Invite `email` to administer the deployment, unless it already has an administrator or a
/// pending invitation to become one. Returns whether an invitation was sent.
pub async fn invite_first_admin(
    users: &UserStore,
    invitations: &InvitationStore,
    mail: &AccountMailer,
    email: &EmailAddress,
) -> Result<bool, FirstAdminError> {
    if users.any_admin().await? || invitations.pending_admin_invitation().await? {
        return Ok(false);
    }
    let token = SecretToken::generate()?;
    let new = NewInvitation {
        project: None,
        email: email.clone(),
        role: ProjectRole::Owner,
        grants_admin: true,
        invited_by: None,
    };
    let invitation = invitations.create(&new, &token.storage_id()).await?;
    let invite = AccountMail::Invitation {
        project: None,
        inviter: None,
        role: invitation.role,
        token: &token,
    };
    if let Err(err) = mail.send(&invite, email).await {
        // A pending invitation nobody received would stop every later deploy from trying again
        // for 7 days (SES refuses mail until the sender is verified, and in the sandbox until the
        // recipient is too): take it back, so the next run sends a fresh one.
        invitations.discard(invitation.id).await?;
        return Err(err.into());
    }
    Ok(true)
}
