// A project's settings. Owners: rename, archive, members (role, remove), invitations (send,
// resend, revoke). Members: the member list, read-only. Everyone: leave the project.
import { api, projectPath, ApiError, describe } from './api.js';
import { $, el, clearErrors, showError, busy } from './dom.js';
import { day, roleLabel } from './format.js';
import { confirmAction } from './confirm.js';
import { state, currentProject, isOwner } from './state.js';
import { updateProject, loadMembers } from './projects.js';
import { announce, flash } from './ui.js';

let hooks = null; // { show, left(project), signedOut() }
let shownFor = null; // the project id the page was drawn for (late answers for another are dropped)

const LAST_OWNER = 'A project needs at least one owner. Make someone else an owner first.';

function problem(text) {
  $('settings-message').textContent = text;
  $('settings-message').hidden = !text;
}

function handled(error) {
  if (error instanceof ApiError && error.status === 401) {
    hooks.signedOut();
    return true;
  }
  return false;
}

function drawGeneral(project) {
  $('settings-title').textContent = `${project.name}: ${isOwner(project) ? 'settings' : 'members'}`;
  $('settings-general').hidden = !isOwner(project);
  $('settings-invite').hidden = !isOwner(project);
  $('rename-name').value = project.name;
  $('archive-text').textContent = project.archived
    ? 'This project is archived: its tasks can be read but not changed. Unarchive it to work on it again.'
    : 'Archiving keeps the project and its tasks readable for its members but stops all changes. You can unarchive it later.';
  $('archive-toggle').textContent = project.archived ? 'Unarchive project' : 'Archive project';
  $('invite-send-form').hidden = project.archived;
  $('invite-archived').hidden = !project.archived;
}

function memberRow(member, project) {
  const me = member.id === state.me.id;
  const who = el('div', { class: 'row-main' },
    el('span', { class: 'row-title', text: me ? `${member.name} (you)` : member.name }),
    el('span', { class: 'muted row-sub', text: member.email || '' }));
  if (member.deactivated) who.append(el('span', { class: 'badge', text: 'Deactivated' }));
  const actions = el('div', { class: 'row-actions' });
  if (isOwner(project)) {
    const id = `role-${member.id}`;
    const select = el('select', { id, class: 'role', 'aria-label': `Role of ${member.name}` },
      el('option', { value: 'member', text: 'Member', selected: member.role === 'member' }),
      el('option', { value: 'owner', text: 'Owner', selected: member.role === 'owner' }));
    select.addEventListener('change', () => changeRole(member, select));
    actions.append(select);
    if (!me) {
      actions.append(el('button', {
        type: 'button', class: 'danger', text: 'Remove', 'aria-label': `Remove ${member.name}`,
        onclick: (event) => removeMember(member, event.currentTarget),
      }));
    }
  } else {
    actions.append(el('span', { class: 'badge', text: roleLabel(member.role) }));
  }
  return el('li', { class: 'row', 'data-id': member.id }, who, actions);
}

function drawMembers(members, project) {
  $('members-list').replaceChildren(...members.map((m) => memberRow(m, project)));
  $('members-state').textContent = members.length ? '' : 'No members.';
}

function invitationRow(invitation) {
  const who = el('div', { class: 'row-main' },
    el('span', { class: 'row-title', text: invitation.email }),
    el('span', { class: 'muted row-sub', text: `${roleLabel(invitation.role)} · invited by ${invitation.invited_by?.name || 'someone'} · expires ${day(invitation.expires_at)}` }));
  const actions = el('div', { class: 'row-actions' },
    el('button', {
      type: 'button', text: 'Resend', 'aria-label': `Resend the invitation to ${invitation.email}`,
      onclick: (event) => busy(event.currentTarget, () => resend(invitation)),
    }),
    el('button', {
      type: 'button', class: 'danger', text: 'Revoke', 'aria-label': `Revoke the invitation to ${invitation.email}`,
      onclick: () => revoke(invitation),
    }));
  return el('li', { class: 'row', 'data-id': invitation.id }, who, actions);
}

let invitations = [];

function drawInvitations() {
  $('pending-list').replaceChildren(...invitations.map(invitationRow));
  $('pending-state').textContent = invitations.length ? '' : 'No pending invitations.';
}

async function refreshMembers(project) {
  $('members-state').textContent = 'Loading members…';
  try {
    const members = await loadMembers(project.id);
    if (shownFor !== project.id) return;
    drawMembers(members, project);
  } catch (error) {
    if (handled(error)) return;
    $('members-state').textContent = '';
    $('members-error').textContent = `Could not load the members. ${describe(error)}`;
  }
}

async function refreshInvitations(project) {
  $('pending-state').textContent = 'Loading invitations…';
  try {
    const { items } = await api('GET', projectPath(project.id, 'invitations'));
    if (shownFor !== project.id) return;
    invitations = items;
    drawInvitations();
  } catch (error) {
    if (handled(error)) return;
    $('pending-state').textContent = '';
    $('pending-error').textContent = `Could not load the invitations. ${describe(error)}`;
  }
}

/** Show the settings of the current project (read afresh: its name, state and my role). */
export async function showSettings() {
  let project = currentProject();
  if (!project) return;
  try {
    updateProject(await api('GET', projectPath(project.id)));
    project = currentProject();
  } catch (error) {
    if (handled(error)) return;
    if (error instanceof ApiError && error.status === 404) { hooks.gone(); return; }
  }
  shownFor = project.id;
  hooks.show('settings');
  clearErrors($('settings'));
  problem('');
  invitations = [];
  $('members-list').replaceChildren();
  $('pending-list').replaceChildren();
  drawGeneral(project);
  $('settings-title').focus();
  await Promise.all([refreshMembers(project), isOwner(project) ? refreshInvitations(project) : null]);
}

async function changeRole(member, select) {
  const project = currentProject();
  const role = select.value;
  const me = member.id === state.me.id;
  if (me && role === 'member') {
    const ok = await confirmAction({
      title: 'Stop being an owner?',
      text: `You will no longer be able to rename or archive “${project.name}”, or to manage its members and invitations.`,
      ok: 'Make me a member',
    });
    if (!ok) { select.value = member.role; return; }
  }
  $('members-error').textContent = '';
  select.disabled = true;
  try {
    const updated = await api('PATCH', projectPath(project.id, 'members', member.id), { role });
    Object.assign(member, updated);
    announce(`${member.name} is now ${role === 'owner' ? 'an owner' : 'a member'}.`);
    if (me) {
      updateProject({ ...project, role });
      await showSettings();
      hooks.changed();
    }
  } catch (error) {
    select.value = member.role;
    if (!handled(error)) $('members-error').textContent = describe(error, { 'last-owner': LAST_OWNER, forbidden: 'Only a project owner can change roles.' });
  } finally {
    select.disabled = false;
  }
}

async function removeMember(member, button) {
  const project = currentProject();
  const ok = await confirmAction({
    title: `Remove ${member.name}?`,
    text: `${member.name} loses access to “${project.name}” and its tasks. Their open tasks in it become unassigned.`,
    ok: 'Remove',
  });
  if (!ok) return;
  $('members-error').textContent = '';
  await busy(button, async () => {
    try {
      await api('DELETE', projectPath(project.id, 'members', member.id));
      announce(`Removed ${member.name} from the project.`);
      await refreshMembers(project);
      $('invite-send-email').focus();
    } catch (error) {
      if (!handled(error)) $('members-error').textContent = describe(error, { 'last-owner': LAST_OWNER });
    }
  });
}

async function resend(invitation) {
  const project = currentProject();
  $('pending-error').textContent = '';
  try {
    const fresh = await api('POST', projectPath(project.id, 'invitations', invitation.id, 'resend'));
    invitations = invitations.map((i) => (i.id === invitation.id ? fresh : i));
    drawInvitations();
    announce(`Sent a new invitation link to ${invitation.email}.`);
    flash(`Sent a new invitation link to ${invitation.email}. The earlier link no longer works.`);
  } catch (error) {
    if (!handled(error)) $('pending-error').textContent = describe(error);
  }
}

async function revoke(invitation) {
  const project = currentProject();
  const ok = await confirmAction({
    title: 'Revoke this invitation?',
    text: `The link sent to ${invitation.email} will no longer work. You can invite them again later.`,
    ok: 'Revoke',
  });
  if (!ok) return;
  $('pending-error').textContent = '';
  try {
    await api('DELETE', projectPath(project.id, 'invitations', invitation.id));
    invitations = invitations.filter((i) => i.id !== invitation.id);
    drawInvitations();
    announce(`Revoked the invitation to ${invitation.email}.`);
    $('invite-send-email').focus();
  } catch (error) {
    if (!handled(error)) $('pending-error').textContent = describe(error);
  }
}

async function sendInvitation(event) {
  event.preventDefault();
  const project = currentProject();
  clearErrors($('invite-send-form'));
  $('invite-send-error').textContent = '';
  const email = $('invite-send-email').value.trim();
  try {
    const invitation = await api('POST', projectPath(project.id, 'invitations'), { email, role: $('invite-send-role').value });
    invitations = [invitation, ...invitations.filter((i) => i.id !== invitation.id)];
    drawInvitations();
    $('invite-send-email').value = '';
    $('invite-send-role').value = 'member';
    announce(`Invitation sent to ${invitation.email}.`);
    flash(`Invitation sent to ${invitation.email}. It appears under “Pending invitations” until they accept it.`);
    $('invite-send-email').focus();
  } catch (error) {
    if (handled(error)) return;
    showError(error, {
      fields: { email: 'invite-send-email', role: 'invite-send-role' },
      formError: 'invite-send-error',
      overrides: { 'already-member': `${email} is already a member of this project.` },
    });
  }
}

async function rename(event) {
  event.preventDefault();
  const project = currentProject();
  clearErrors($('rename-form'));
  $('rename-error').textContent = '';
  try {
    const updated = await api('PATCH', projectPath(project.id), { name: $('rename-name').value });
    updateProject(updated);
    drawGeneral(currentProject());
    hooks.changed();
    announce(`Renamed the project to “${updated.name}”.`);
  } catch (error) {
    if (!handled(error)) showError(error, { fields: { name: 'rename-name' }, formError: 'rename-error' });
  }
}

async function toggleArchive() {
  const project = currentProject();
  $('archive-error').textContent = '';
  const archived = !project.archived;
  if (archived) {
    const ok = await confirmAction({
      title: `Archive “${project.name}”?`,
      text: 'Its members can still read its tasks, but nobody can change them until it is unarchived.',
      ok: 'Archive',
    });
    if (!ok) return;
  }
  await busy($('archive-toggle'), async () => {
    try {
      const updated = await api('PATCH', projectPath(project.id), { archived });
      updateProject(updated);
      drawGeneral(currentProject());
      hooks.changed();
      flash(archived ? `Archived “${updated.name}”.` : `“${updated.name}” is active again.`);
      $('archive-toggle').focus();
    } catch (error) {
      if (!handled(error)) $('archive-error').textContent = describe(error);
    }
  });
}

async function leave() {
  const project = currentProject();
  const ok = await confirmAction({
    title: `Leave “${project.name}”?`,
    text: 'You lose access to its tasks, and your open tasks in it become unassigned. A project owner can invite you again.',
    ok: 'Leave project',
  });
  if (!ok) return;
  $('leave-error').textContent = '';
  await busy($('leave-project'), async () => {
    try {
      await api('DELETE', projectPath(project.id, 'members', state.me.id));
      await hooks.left(project);
    } catch (error) {
      if (!handled(error)) {
        $('leave-error').textContent = describe(error, {
          'last-owner': 'You are this project’s only owner. Make someone else an owner first, or archive the project instead.',
        });
      }
    }
  });
}

export function setUpSettings(handlers) {
  hooks = handlers;
  $('settings-back').addEventListener('click', () => hooks.back());
  $('rename-form').addEventListener('submit', (event) => busy($('rename-save'), () => rename(event)));
  $('archive-toggle').addEventListener('click', toggleArchive);
  $('invite-send-form').addEventListener('submit', (event) => busy($('invite-send'), () => sendInvitation(event)));
  $('leave-project').addEventListener('click', leave);
}
