// Administrators: every account, with deactivate / reactivate and make / remove administrator.
import { api, ApiError, describe } from './api.js';
import { $, el, busy } from './dom.js';
import { day } from './format.js';
import { confirmAction } from './confirm.js';
import { state } from './state.js';
import { announce } from './ui.js';

let hooks = null; // { show, back, signedOut }
let people = [];

function row(person) {
  const me = person.id === state.me.id;
  const main = el('div', { class: 'row-main' },
    el('span', { class: 'row-title', text: me ? `${person.name} (you)` : person.name }),
    el('span', { class: 'muted row-sub', text: `${person.email} · joined ${day(person.created_at)}` }));
  if (person.is_admin) main.append(el('span', { class: 'badge', text: 'Administrator' }));
  if (person.deactivated) main.append(el('span', { class: 'badge warn', text: 'Deactivated' }));
  // Your own account is changed by another administrator (the API refuses it: 409 `self`).
  if (me) return el('li', { class: 'row', 'data-id': person.id }, main, el('p', { class: 'muted row-actions', text: 'Another administrator can change your account.' }));
  const actions = el('div', { class: 'row-actions' },
    el('button', {
      type: 'button',
      text: person.is_admin ? 'Remove administrator' : 'Make administrator',
      'aria-label': `${person.is_admin ? 'Remove administrator rights from' : 'Make administrator:'} ${person.name}`,
      onclick: (event) => change(person, { is_admin: !person.is_admin }, event.currentTarget),
    }),
    el('button', {
      type: 'button',
      class: person.deactivated ? '' : 'danger',
      text: person.deactivated ? 'Reactivate' : 'Deactivate',
      'aria-label': `${person.deactivated ? 'Reactivate' : 'Deactivate'} ${person.name}`,
      onclick: (event) => change(person, { deactivated: !person.deactivated }, event.currentTarget),
    }));
  return el('li', { class: 'row', 'data-id': person.id }, main, actions);
}

function draw() {
  $('people-list').replaceChildren(...people.map(row));
  $('people-state').textContent = people.length ? `${people.length} account${people.length === 1 ? '' : 's'}.` : 'No accounts.';
}

async function change(person, patch, button) {
  if (patch.deactivated) {
    const ok = await confirmAction({
      title: `Deactivate ${person.name}?`,
      text: `${person.name} is signed out everywhere and cannot sign in until reactivated. Their open tasks become unassigned; their history stays.`,
      ok: 'Deactivate',
    });
    if (!ok) return;
  }
  $('people-error').textContent = '';
  await busy(button, async () => {
    try {
      const updated = await api('PATCH', `/api/admin/users/${encodeURIComponent(person.id)}`, patch);
      people = people.map((p) => (p.id === person.id ? { ...p, ...updated } : p));
      draw();
      $('people-list').querySelector(`[data-id="${person.id}"] button`)?.focus();
      announce(`${updated.name || person.name}: ${'deactivated' in patch
        ? (patch.deactivated ? 'deactivated' : 'reactivated')
        : (patch.is_admin ? 'now an administrator' : 'no longer an administrator')}.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) { hooks.signedOut(); return; }
      $('people-error').textContent = describe(error);
    }
  });
}

export async function showPeople() {
  hooks.show('people');
  $('people-title').focus();
  $('people-error').textContent = '';
  $('people-state').textContent = 'Loading accounts…';
  $('people-list').replaceChildren();
  try {
    people = (await api('GET', '/api/admin/users')).items;
    draw();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { hooks.signedOut(); return; }
    $('people-state').textContent = '';
    $('people-error').textContent = describe(error, { forbidden: 'Only administrators can see the list of accounts.', 403: 'Only administrators can see the list of accounts.' });
  }
}

export function setUpPeople(handlers) {
  hooks = handlers;
  $('people-back').addEventListener('click', () => hooks.back());
}
