// The account menu in the header (change password, People for administrators, sign out), the
// change-password dialog, and the notice that task e-mail to the person's address has stopped.
import { request, ApiError, describe } from './api.js';
import { $, clearErrors, fieldError, showError, busy } from './dom.js';
import { state } from './state.js';

let hooks = null; // { signOut(everywhere), people(), passwordChanged() }

function menuOpen(open) {
  $('account-menu').hidden = !open;
  $('account-button').setAttribute('aria-expanded', String(open));
}

/** Name, address and the administrator's entry. */
export function drawAccount() {
  const me = state.me;
  $('account').hidden = !me;
  drawMailStopped();
  if (!me) { menuOpen(false); return; }
  $('whoami').textContent = me.name;
  $('whoami-email').textContent = `Signed in as ${me.email}`;
  $('people-item').hidden = !me.is_admin;
}

const STOPPED_BECAUSE = {
  bounce: 'an e-mail to it bounced',
  complaint: 'one of our e-mails to it was reported as spam',
};

/** Task e-mail to this address stopped (a bounce or a complaint): say so, and offer the way back. */
function drawMailStopped() {
  const stopped = state.me?.mail_stopped;
  $('mail-stopped').hidden = !stopped;
  if (!stopped) return;
  const since = new Date(stopped.since).toLocaleDateString(undefined, { dateStyle: 'medium' });
  $('mail-stopped-text').textContent =
    `We stopped e-mailing ${state.me.email} about tasks on ${since}: ${STOPPED_BECAUSE[stopped.reason] ?? 'it could not be delivered'}. ` +
    'If the address works now, confirm it and task e-mail starts again.';
  $('mail-confirm').hidden = false;
}

async function confirmAddress() {
  const button = $('mail-confirm');
  button.disabled = true;
  try {
    await request('POST', '/api/auth/email/confirm');
    $('mail-stopped-text').textContent =
      `We sent a confirmation link to ${state.me.email}. Open it and task e-mail starts again.`;
    button.hidden = true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { hooks.signedOut(); return; }
    $('mail-stopped-text').textContent = `The link could not be sent. ${describe(error)}`;
  } finally {
    button.disabled = false;
  }
}

function openPasswordDialog() {
  menuOpen(false);
  clearErrors($('password-form'));
  for (const id of ['current-password', 'new-password', 'new-password2']) $(id).value = '';
  $('password-dialog').showModal();
  $('current-password').focus();
}

async function changePassword(event) {
  event.preventDefault();
  clearErrors($('password-form'));
  const current = $('current-password').value;
  const next = $('new-password').value;
  if (!current) { fieldError('current-password', 'Enter your current password.'); return; }
  if (next !== $('new-password2').value) {
    fieldError('new-password2', 'The two new passwords differ. Type the same password twice.');
    return;
  }
  try {
    await request('POST', '/api/auth/password/change', { body: { current_password: current, new_password: next } });
    $('password-dialog').close();
    hooks.passwordChanged();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      $('password-dialog').close();
      hooks.signedOut();
      return;
    }
    showError(error, {
      fields: { current_password: 'current-password', new_password: 'new-password' },
      formError: 'password-form-error',
    });
  }
}

export function setUpAccount(handlers) {
  hooks = handlers;
  $('account-button').addEventListener('click', () => menuOpen($('account-menu').hidden));
  // Escape or a click elsewhere closes the menu; Escape puts focus back on its button.
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('account-menu').hidden) {
      menuOpen(false);
      $('account-button').focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!$('account-menu').hidden && !$('account').contains(event.target)) menuOpen(false);
  });
  $('account').addEventListener('focusout', (event) => {
    if (event.relatedTarget && !$('account').contains(event.relatedTarget)) menuOpen(false);
  });
  $('change-password').addEventListener('click', openPasswordDialog);
  $('mail-confirm').addEventListener('click', confirmAddress);
  $('open-people').addEventListener('click', () => { menuOpen(false); hooks.people(); });
  $('sign-out').addEventListener('click', () => { menuOpen(false); hooks.signOut(false); });
  $('sign-out-all').addEventListener('click', () => { menuOpen(false); hooks.signOut(true); });
  const close = () => $('password-dialog').close();
  $('password-cancel').addEventListener('click', close);
  $('password-close').addEventListener('click', close);
  $('password-form').addEventListener('submit', (event) => busy($('password-save'), () => changePassword(event)));
}
