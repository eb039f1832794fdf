// The page an invitation link opens (`#invite=<token>`): what the invitation is for, then either
// one "Join project" button (signed in as the invited address) or a form to create the account
// (name + password), after which the page signs in with the invited address and that password.
import { api, request, ApiError, describe } from './api.js';
import { $, clearErrors, fieldError, showError, busy } from './dom.js';
import { state } from './state.js';

let token = null;
let preview = null; // { email, role, project: {id, name} | null, invited_by: {name} }
let hooks = null; // { show, joined(project, user?), signIn(email, notice), forgot(email), signOut(), home() }

const PARTS = ['invite-details', 'invite-join', 'invite-other', 'invite-form', 'invite-existing', 'invite-home-line'];

function only(...visible) {
  for (const id of PARTS) $(id).hidden = !visible.includes(id);
}

const sameAddress = (a, b) => (a || '').trim().toLowerCase() === (b || '').trim().toLowerCase();

function what() {
  return preview.project ? `the project “${preview.project.name}”` : 'Taskboard';
}

/** An invitation being looked at, so signing in first can come back to it. */
export function pendingInvitation() {
  return token;
}

export function forgetInvitation() {
  token = null;
  preview = null;
}

function drawPreview() {
  const by = preview.invited_by?.name || 'An administrator';
  $('invite-title').textContent = preview.project ? `Join “${preview.project.name}”` : 'Join Taskboard';
  // An invitation without a project is the one that makes its receiver an administrator.
  $('invite-summary').textContent = preview.project
    ? `${by} invited you to join ${what()} as ${preview.role === 'owner' ? 'an owner' : 'a member'}.`
    : `${by} invited you to run this Taskboard as its administrator.`;
  $('invite-email').textContent = preview.email;
}

/** Show the invitation in `t` to whoever is signed in now (`state.me`, or nobody). */
export async function showInvitation(t) {
  token = t;
  preview = null;
  hooks.show('invite');
  clearErrors($('invite'));
  $('invite-title').textContent = 'Invitation';
  $('invite-state').textContent = 'Reading the invitation…';
  only();
  try {
    preview = await api('POST', '/api/invitations/preview', { token });
  } catch (error) {
    $('invite-state').textContent = '';
    $('invite-error').textContent = describe(error, {
      'invalid-token': 'This invitation link is invalid, has expired or was already used. Ask the project owner to send you a new one.',
    });
    token = null;
    only('invite-home-line');
    $('invite-title').focus();
    return;
  }
  $('invite-state').textContent = '';
  drawPreview();
  drawFor(state.me);
  $('invite-title').focus();
}

function drawFor(me) {
  if (me && sameAddress(me.email, preview.email)) {
    $('invite-join-text').textContent = `You are signed in as ${me.email}.`;
    $('invite-accept').textContent = preview.project ? 'Join project' : 'Accept invitation';
    only('invite-details', 'invite-join');
  } else if (me) {
    $('invite-other-text').textContent = `You are signed in as ${me.email}, but this invitation is for ${preview.email}. Sign out to accept it with that address.`;
    only('invite-details', 'invite-other');
  } else {
    $('invite-name').value = '';
    $('invite-password').value = '';
    $('invite-password2').value = '';
    only('invite-details', 'invite-form');
  }
}

async function join() {
  clearErrors($('invite'));
  try {
    const data = await api('POST', '/api/invitations/accept', { token });
    const project = data?.project || preview.project;
    forgetInvitation();
    await hooks.joined(project);
  } catch (error) {
    $('invite-error').textContent = describe(error, {
      'invalid-token': 'This invitation link is invalid, has expired or was already used. Ask the project owner to send you a new one.',
      'invitation-other-account': `This invitation is for ${preview.email}, not for the account you are signed in with.`,
    });
  }
}

async function createAndJoin(event) {
  event.preventDefault();
  clearErrors($('invite'));
  const name = $('invite-name').value;
  const password = $('invite-password').value;
  if (!name.trim()) {
    fieldError('invite-name', 'Enter your name, as your teammates will see it.');
    return;
  }
  if (password !== $('invite-password2').value) {
    fieldError('invite-password2', 'The two passwords differ. Type the same password twice.');
    return;
  }
  try {
    await request('POST', '/api/invitations/accept', { body: { token, name, password } });
  } catch (error) {
    showError(error, {
      fields: { name: 'invite-name', password: 'invite-password' },
      formError: 'invite-error',
      overrides: { 'invalid-token': 'This invitation link is invalid, has expired or was already used. Ask the project owner to send you a new one.' },
    });
    return;
  }
  // Accepted: now sign in with the invited address and the password just chosen.
  const { email, project } = preview;
  try {
    const { data: user } = await request('POST', '/api/auth/login', { body: { email, password } });
    forgetInvitation();
    await hooks.joined(project, user);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      $('invite-existing-text').textContent = `You already had an account with ${email}: the invitation is accepted for it, and it keeps its existing password. Sign in with that password, or reset it if you no longer know it.`;
      only('invite-details', 'invite-existing');
      $('invite-existing-signin').focus();
    } else {
      $('invite-error').textContent = `The invitation is accepted, but signing in failed. ${describe(error)}`;
      only('invite-details', 'invite-existing');
      $('invite-existing-text').textContent = `Sign in with ${email} to open ${what()}.`;
    }
  }
}

export function setUpInvite(handlers) {
  hooks = handlers;
  $('invite-accept').addEventListener('click', () => busy($('invite-accept'), join));
  $('invite-form').addEventListener('submit', (event) => busy($('invite-create'), () => createAndJoin(event)));
  $('invite-switch').addEventListener('click', () => busy($('invite-switch'), async () => {
    await hooks.signOut();
    if (token && preview) {
      hooks.show('invite');
      drawFor(null);
      $('invite-name').focus();
    }
  }));
  $('invite-dismiss').addEventListener('click', () => {
    forgetInvitation();
    hooks.home();
  });
  $('invite-signin').addEventListener('click', () => {
    hooks.signIn(preview.email, `Sign in to accept the invitation to ${what()}.`);
  });
  $('invite-existing-signin').addEventListener('click', () => {
    const email = preview?.email;
    forgetInvitation();
    hooks.signIn(email, '');
  });
  $('invite-existing-forgot').addEventListener('click', () => {
    const email = preview?.email;
    forgetInvitation();
    hooks.forgot(email);
  });
  $('invite-home').addEventListener('click', () => {
    forgetInvitation();
    hooks.home();
  });
}
